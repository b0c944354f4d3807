import { run } from "./main.js";
import { quietSdkNodeWarning } from "./node-support.js";

// The action runs on node24 (action.yml), where the SDK does not warn; a local runner on an
// older Node.js gets no eight-line warning about SDK releases this bundle does not use.
quietSdkNodeWarning();
await run();
