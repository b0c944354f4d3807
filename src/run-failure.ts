import { isAwsUnreachable } from "./aws/unreachable.js";
import { isConfigurationError } from "./configuration-error.js";
import { describeError } from "./error-description.js";
import { GitHubCallError } from "./github/issue-sync.js";

/**
 * A run's failure in one line. The user's mistakes, AWS or GitHub out of reach or refusing,
 * are said as they are; only what none of those explains is "unexpected" (a defect of ours).
 */
export function describeRunFailure(error: unknown): string {
  if (isConfigurationError(error) || isAwsUnreachable(error) || error instanceof GitHubCallError) return error.message;
  return `org-trail-audit failed unexpectedly: ${describeError(error)}`;
}

/** Whether a failure is a defect of ours, whose stack is worth a debug line. */
export function isUnexpected(error: unknown): boolean {
  return !isConfigurationError(error) && !isAwsUnreachable(error) && !(error instanceof GitHubCallError);
}
