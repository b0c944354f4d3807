import { describeError, githubCause, githubMessageOf, httpStatusOf } from "../error-description.js";
import type { OpenAlert } from "../reporters/carried-alerts.js";
import pLimit from "p-limit";
import { TOOL_NAME } from "../version.js";
import { createOctokit, GITHUB_PACING, githubApiUrl, type GitHubPacing, type Octokit } from "./octokit.js";

export type OpenAlertsRead =
  /** `alerts`: the open ones; `all`: every state (fixed and dismissed too), the history of the trend and scorecards. */
  | { kind: "read"; alerts: OpenAlert[]; all: OpenAlert[] }
  /**
   * Code scanning holds nothing of this repository: no alert can close. `firstAnalysis`: it
   * is enabled but has had no upload yet, so nothing was open before this run.
   */
  | { kind: "none"; reason: string; firstAnalysis: boolean }
  /** The alerts exist but could not be read: they may close. */
  | { kind: "unreadable"; reason: string };

/**
 * This tool's code-scanning alerts on the branch being scanned, from
 * `GET /repos/{owner}/{repo}/code-scanning/alerts` (tool_name, every state, 100 a page; the
 * job's token needs `security-events: read`, which the upload's `write` includes). The open
 * ones are what the upload must keep; all of them (created_at, fixed_at, dismissed_at) are
 * the history the trend and the scorecards are rebuilt from: one list instead of two, about
 * 100 requests at 10,000 alerts.
 */
export async function readOpenAlerts(
  token: string,
  log: (message: string) => void,
  repository = process.env.GITHUB_REPOSITORY,
  baseUrl = githubApiUrl(),
  pacing: GitHubPacing = GITHUB_PACING,
): Promise<OpenAlertsRead> {
  if (!repository)
    return {
      kind: "none",
      reason: "not running in a GitHub repository (GITHUB_REPOSITORY is not set)",
      firstAnalysis: false,
    };
  if (!token) return { kind: "unreadable", reason: "no github-token was given" };
  const [owner = "", repo = ""] = repository.split("/");
  try {
    const all = (await listAlerts(undefined, token, log, repository, baseUrl, pacing)).map(toOpenAlert);
    return { kind: "read", alerts: all.filter((alert) => alert.state === "open"), all };
  } catch (error) {
    const status = httpStatusOf(error);
    const message = githubMessageOf(error);
    // GitHub's answers when code scanning has nothing here: no analysis was ever uploaded
    // (404 "no analysis found"), or it is not enabled for the repository (403 "Advanced
    // Security must be enabled" / "Code scanning is not enabled"). Told apart by the message:
    // a plain 404 "Not Found" is a token that cannot see the repository, whose alerts exist.
    if (status === 404 && /no analysis found/i.test(message))
      return { kind: "none", reason: `code scanning has no analysis in ${owner}/${repo} yet`, firstAnalysis: true };
    if (status === 403 && /advanced security|not enabled/i.test(message))
      return { kind: "none", reason: `code scanning is not enabled for ${owner}/${repo}`, firstAnalysis: false };
    // security-events: read is what the list needs; the upload's write includes it.
    const cause =
      status !== undefined && status < 500
        ? githubCause(status, message, "security-events: read", `${owner}/${repo}`)
        : undefined;
    const fix = cause ? `; ${cause}` : "";
    // Octokit reports a request that got no answer (network, DNS, TLS) as status 500 without a response.
    const answered = (error as { response?: unknown }).response !== undefined;
    const what = answered
      ? `GitHub answered ${status} to the alerts list: ${message}`
      : `the alerts list got no answer from ${baseUrl}: ${describeError(error)}`;
    return { kind: "unreadable", reason: `${what}${fix}` };
  }
}

/** A dismissed alert of this tool: whether it was dismissed for an accepted exception is in its comment. */
export interface DismissedAlert extends OpenAlert {
  dismissedReason: string | null;
  dismissedComment: string | null;
}

/**
 * This tool's dismissed alerts on the branch: those dismissed for an exception are reopened
 * when it expires. Read only with an exceptions file; a failure is the caller's to report.
 */
export async function readDismissedAlerts(
  token: string,
  log: (message: string) => void,
  repository = process.env.GITHUB_REPOSITORY ?? "",
  baseUrl = githubApiUrl(),
  pacing: GitHubPacing = GITHUB_PACING,
): Promise<DismissedAlert[]> {
  const alerts = await listAlerts("dismissed", token, log, repository, baseUrl, pacing);
  return alerts.map((alert) => ({
    ...toOpenAlert(alert),
    dismissedReason: alert.dismissed_reason ?? null,
    dismissedComment: alert.dismissed_comment ?? null,
  }));
}

/** Pages of the alerts list in flight at once: far under GitHub's 100 concurrent requests and 900 points a minute per endpoint. */
export const ALERT_PAGES_AT_ONCE = 4;

/**
 * This tool's alerts (in one state, or all), on the branch this run uploads to (without a ref
 * GitHub answers for the default branch). The first page's Link header names the last page;
 * the others are then read a few at a time, since 10,000 alerts are 100 pages and one after
 * the other they would take most of a minute. GitHub asks for requests made serially where
 * possible (REST API best practices); a secondary rate limit is waited out by the throttling
 * plugin. Without a last page (cursor pagination) the pages are followed one by one.
 */
async function listAlerts(
  state: "open" | "dismissed" | undefined,
  token: string,
  log: (message: string) => void,
  repository: string,
  baseUrl: string,
  pacing: GitHubPacing,
): Promise<AlertItem[]> {
  const [owner = "", repo = ""] = repository.split("/");
  const ref = process.env.GITHUB_REF?.startsWith("refs/") ? process.env.GITHUB_REF : undefined;
  const octokit = createOctokit(token, log, baseUrl, pacing);
  const route = "GET /repos/{owner}/{repo}/code-scanning/alerts" as const;
  const parameters = {
    owner,
    repo,
    tool_name: TOOL_NAME,
    ...(state ? { state } : {}),
    per_page: 100,
    ...(ref ? { ref } : {}),
  };
  // request() and rest's typed methods come from two @octokit/types versions (a user id that may be a bigint): the same JSON.
  const page = async (number: number) => {
    const answer = await octokit.request(route, { ...parameters, page: number });
    return { data: answer.data as unknown as AlertItem[], link: answer.headers.link ?? "" };
  };
  const first = await page(1);
  const { link } = first;
  if (!/rel="next"/.test(link)) return first.data;
  const last = Number(/[?&]page=(\d+)[^>]*>;\s*rel="last"/.exec(link)?.[1] ?? Number.NaN);
  if (!Number.isInteger(last)) return octokit.paginate("GET /repos/{owner}/{repo}/code-scanning/alerts", parameters);
  const limit = pLimit(ALERT_PAGES_AT_ONCE);
  const rest = await Promise.all(
    Array.from({ length: last - 1 }, (_, index) => limit(async () => (await page(index + 2)).data)),
  );
  return [first.data, ...rest].flat();
}

type AlertItem = Awaited<ReturnType<Octokit["rest"]["codeScanning"]["listAlertsForRepo"]>>["data"][number];

/** The fields of GitHub's alert this tool reads: rule, category and location (its identity), message, dates. */
function toOpenAlert(alert: AlertItem): OpenAlert {
  return {
    number: alert.number,
    ruleId: alert.rule.id ?? "",
    severity: alert.rule.severity ?? null,
    category: alert.most_recent_instance.category ?? "",
    path: alert.most_recent_instance.location?.path ?? "",
    message: alert.most_recent_instance.message?.text ?? "",
    htmlUrl: alert.html_url,
    createdAt: alert.created_at,
    state: alert.state ?? "open",
    ...(alert.fixed_at ? { fixedAt: alert.fixed_at } : {}),
    ...(alert.dismissed_at ? { dismissedAt: alert.dismissed_at } : {}),
  };
}
