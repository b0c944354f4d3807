#!/usr/bin/env node
import { runCli } from "./cli.js";
import { nodeSupportNote, quietSdkNodeWarning } from "./node-support.js";
import { TOOL_NAME } from "./version.js";

quietSdkNodeWarning();
const note = nodeSupportNote();
if (note) process.stderr.write(`${TOOL_NAME}: ${note}\n`);
process.exitCode = await runCli(process.argv.slice(2));
