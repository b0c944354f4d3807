import { describeError, failureOf, foreignAnswer, networkFailure } from "../error-description.js";
import type { Failure } from "../inventory.js";

/**
 * AWS could not be reached at all: nothing listening, DNS, TLS, or something else answering
 * in its place. Neither the user's inputs nor the credentials are the problem, so it is kept
 * apart from ConfigurationError and has an exit code of its own.
 */
export class AwsUnreachableError extends Error {
  override readonly name = "AwsUnreachableError";
}

export function isAwsUnreachable(error: unknown): error is AwsUnreachableError {
  return error instanceof AwsUnreachableError;
}

/** The failure's words when AWS was unreachable for it (the network, or an answer not AWS's); else undefined. */
export function unreachableCause(error: unknown): string | undefined {
  return networkFailure(error) || foreignAnswer(error) ? describeError(error) : undefined;
}

/** Calls in a row that never reached AWS, with no call answered in between, before a scan stops. */
export const UNREACHABLE_CALLS_TO_STOP = 16;

/**
 * Notices when the endpoint stops answering for everything: every call, after its retries,
 * failing on the network with no call answered in between, STS's among them: every account
 * still to read starts with an AssumeRole, so once STS cannot be reached and nothing else
 * answers either, none of them would be read. A Region whose CloudTrail
 * endpoint a firewall blocks never trips it, however its failures cluster; nor does an
 * answer that is not AWS's (a proxy refusing one API): something is still answering.
 */
export class UnreachableBreaker {
  private inARow = 0;
  /** STS's failures in the current run. */
  private stsInARow = 0;
  /** Why the scan stopped, once it has: the last failure, and how many in a row. */
  stopped: Failure | undefined;

  constructor(
    private readonly onStop: (why: Failure) => void,
    private readonly threshold = UNREACHABLE_CALLS_TO_STOP,
  ) {}

  answered(): void {
    if (this.stopped) return;
    this.inARow = 0;
    this.stsInARow = 0;
  }

  failed(service: string, error: unknown, call?: string): void {
    if (this.stopped) return;
    if (!networkFailure(error)) {
      // Something answered: the endpoint is there.
      this.answered();
      return;
    }
    this.inARow += 1;
    if (service === "STS") this.stsInARow += 1;
    if (this.inARow >= this.threshold && this.stsInARow >= 2) {
      this.stopped = { ...failureOf(error, call ? { call } : {}), callsInARow: this.inARow };
      this.onStop(this.stopped);
    }
  }
}
