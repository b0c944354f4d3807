import { getOctokit } from "@actions/github";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";

export type Octokit = ReturnType<typeof getOctokit>;

/**
 * Octokit as GitHub recommends for bulk writes: the throttling plugin paces writes one at
 * a time (a second apart, under the 80-a-minute secondary limit) and waits out rate
 * limits; the retry plugin retries server errors. Its base URL is GITHUB_API_URL.
 */
export function createOctokit(token: string, log: (message: string) => void, baseUrl?: string): Octokit {
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      log(
        `GitHub ${kind} rate limit on ${options.method} ${options.url}; retrying in ${retryAfter} s (attempt ${retryCount + 1}).`,
      );
      return retryCount < 3;
    };
  return getOctokit(
    token,
    {
      ...(baseUrl ? { baseUrl } : {}),
      throttle: { onRateLimit: onLimit("primary"), onSecondaryRateLimit: onLimit("secondary") },
    },
    throttling,
    retry,
  );
}
