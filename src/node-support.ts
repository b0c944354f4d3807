/**
 * Which Node.js runs us. The action runs on node24 (action.yml); the CLI on whatever its user
 * has, from Node.js 20.19 (package.json engines; the bundle itself runs on any 20, the
 * development tools need 20.19). The AWS SDK prints an eight-line warning on
 * Node.js below 22, about SDK releases that will need 22; the SDK bundled here is fixed at
 * build time, so that warning says nothing about this tool. It is replaced by at most one
 * line of ours.
 */
export const MINIMUM_NODE_MAJOR = 20;
export const MINIMUM_NODE_VERSION = "20.19";
export const RECOMMENDED_NODE_MAJOR = 22;

const SDK_SWITCH = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";
/** The user turned the SDK's warning off themselves: ours, which replaces it, is off too. */
let silencedByUser = false;

export function quietSdkNodeWarning(env: NodeJS.ProcessEnv = process.env): void {
  silencedByUser = env[SDK_SWITCH] === "true";
  env[SDK_SWITCH] ??= "true";
}

/** The one line to print on an old Node.js, or undefined. */
export function nodeSupportNote(version: string = process.version): string | undefined {
  if (silencedByUser) return undefined;
  const major = Number(/^v(\d+)\./.exec(version)?.[1] ?? 0);
  if (major >= RECOMMENDED_NODE_MAJOR) return undefined;
  if (major < MINIMUM_NODE_MAJOR)
    return `Node.js ${version} is older than this tool supports (${MINIMUM_NODE_MAJOR} or later); use Node.js ${RECOMMENDED_NODE_MAJOR} or later.`;
  return `Node.js ${version} reached its end of life in April 2026; it still runs this tool, but use Node.js ${RECOMMENDED_NODE_MAJOR} or later.`;
}
