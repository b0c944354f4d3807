#!/usr/bin/env node
import { runCli } from "./cli.js";
import { quietSdkNodeWarning } from "./node-support.js";

quietSdkNodeWarning();
process.exitCode = await runCli(process.argv.slice(2));
