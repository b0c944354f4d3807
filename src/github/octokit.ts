import { getOctokit } from "@actions/github";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import Bottleneck from "bottleneck/light.js";

export type Octokit = ReturnType<typeof getOctokit>;

/**
 * How far apart GitHub requests go, and how long a retry waits: the one place the run's
 * pacing is set. GitHub asks for a second between writes and more between writes that notify
 * people ("Best practices for using the REST API"); the throttling plugin's own defaults are
 * these. Tests give zeros, and one test proves the real spacing (test/github-pacing.test.ts).
 */
export interface GitHubPacing {
  /** Between writes (POST, PATCH, PUT, DELETE). */
  writeIntervalMs: number;
  /** Between writes that notify people: creating issues and comments. */
  notificationIntervalMs: number;
  /** What one second of GitHub's retry-after (and of the retry plugin's backoff) lasts. */
  retryUnitMs: number;
}

export const GITHUB_PACING: GitHubPacing = {
  writeIntervalMs: 1_000,
  notificationIntervalMs: 3_000,
  retryUnitMs: 1_000,
};

/** GITHUB_API_URL as the runner sets it now (@actions/github's context reads it once, when loaded). */
export function githubApiUrl(): string {
  return process.env.GITHUB_API_URL || "https://api.github.com";
}

/**
 * Spaces every write from the one sent before it, by any Octokit of the run: a write waits
 * writeIntervalMs after the previous write went out, and one that notifies people
 * notificationIntervalMs after the previous such write. The throttling plugin's own queues
 * space the moments writes are admitted, not sent: after a creation had waited out its 3 s,
 * the next write went out at once.
 */
function writeSpacing(pacing: GitHubPacing) {
  let found = spacings.get(pacing);
  if (!found) {
    let lastWrite = Number.NEGATIVE_INFINITY;
    let lastNotification = Number.NEGATIVE_INFINITY;
    let queue: Promise<void> = Promise.resolve();
    found = (method: string, url: string) => {
      if (method === "GET" || method === "HEAD") return Promise.resolve();
      const notifies = throttling.triggersNotification(new URL(url, "http://github.test").pathname);
      const turn = queue.then(async () => {
        const readyAt = Math.max(
          lastWrite + pacing.writeIntervalMs,
          notifies ? lastNotification + pacing.notificationIntervalMs : Number.NEGATIVE_INFINITY,
        );
        const wait = readyAt - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        lastWrite = Date.now();
        if (notifies) lastNotification = lastWrite;
      });
      queue = turn;
      return turn;
    };
    spacings.set(pacing, found);
  }
  return found;
}
const spacings = new WeakMap<GitHubPacing, (method: string, url: string) => Promise<void>>();

/** The throttling plugin keeps its rate-limit handling; its write queues admit at once (writeSpacing spaces). */
const unpacedQueues = {
  write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
  notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
};

/**
 * Octokit as GitHub recommends for bulk writes: the throttling plugin paces writes one at
 * a time (under the 80-a-minute secondary limit) and waits out rate limits; the retry plugin
 * retries server errors. Its base URL is GITHUB_API_URL (read now, not when
 * @actions/github was loaded) unless one is given.
 */
export function createOctokit(
  token: string,
  log: (message: string) => void,
  baseUrl = githubApiUrl(),
  pacing: GitHubPacing = GITHUB_PACING,
): Octokit {
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      log(
        `GitHub ${kind} rate limit on ${options.method} ${options.url}; retrying in ${retryAfter} s (attempt ${retryCount + 1}).`,
      );
      // One retry after the wait GitHub asks for; a limit that still holds stops the writes (issue-sync.ts).
      return retryCount < 1;
    };
  const octokit = getOctokit(
    token,
    {
      baseUrl,
      throttle: {
        ...unpacedQueues,
        retryAfterBaseValue: pacing.retryUnitMs,
        onRateLimit: onLimit("primary"),
        onSecondaryRateLimit: onLimit("secondary"),
      },
      retry: { retryAfterBaseValue: pacing.retryUnitMs },
    },
    throttling,
    retry,
  );
  const spaced = writeSpacing(pacing);
  octokit.hook.before("request", (options) => spaced(options.method, options.url));
  return octokit;
}
