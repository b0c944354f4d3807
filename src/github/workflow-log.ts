import * as core from "@actions/core";

/**
 * A line of the action's log that may carry outside text (account and trail names, tags,
 * GitHub's answers). The runner reads a log line that starts with "::" as a workflow
 * command, so such text must never start one: line breaks become spaces, and a line that
 * would still begin with "::" is shifted off the start. @actions/core escapes the messages
 * of annotations (warning, error, notice) itself; core.info and core.debug print raw.
 */
export function oneLogLine(message: string): string {
  const line = message.replace(/\r\n|\r|\n/g, " ");
  return /^\s*::/.test(line) ? `> ${line}` : line;
}

export function logInfo(message: string): void {
  core.info(oneLogLine(message));
}

export function logDebug(message: string): void {
  core.debug(oneLogLine(message));
}
