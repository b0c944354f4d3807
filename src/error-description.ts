/**
 * Every failure's words, in one place: AWS calls (network, an answer that is not AWS's, AWS's
 * own errors) and GitHub calls (HTTP status, validation details).
 *
 * Why a call failed, told by cause: a call that never reached AWS (nothing listening, a
 * name that does not resolve, TLS refused, no answer in time) is a network or endpoint
 * problem, and saying "check the credentials" or "check the trust policy" for it sends
 * people to the wrong place. The endpoint is recorded on the error by the transport
 * (client-config.ts) from the request it sent.
 */

import { isThrottlingError } from "@smithy/core/retry";
import type { Failure } from "./inventory.js";

/** Set on an error by the transport: the URL the failed attempt was sent to. */
export const FAILED_ENDPOINT = "$orgTrailAuditEndpoint";

export interface NetworkFailure {
  /** The system or SDK code: ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED, TimeoutError, ... */
  code: string;
  /** Where the request went, when known. */
  endpoint?: string;
  /** What the code means, in words. */
  meaning: string;
}

const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: "nothing is listening there (connection refused)",
  ECONNRESET: "the connection was reset",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  EPIPE: "the connection was closed while sending",
  ENOTFOUND: "the host name does not resolve (DNS)",
  EAI_AGAIN: "the host name could not be resolved just now (DNS)",
  ETIMEDOUT: "no answer in time",
  ECONNABORTED: "the connection was aborted",
};

const TIMEOUT_NAMES = new Set(["TimeoutError", "RequestTimeout"]);

/** Node's TLS failures: certificate codes and ERR_TLS_* / ERR_SSL_*. */
function isTlsCode(code: string): boolean {
  return (
    /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/.test(code) || code === "EPROTO"
  );
}

/** The network cause of a failed call, or undefined when AWS answered (or the cause is not the network). */
export function networkFailure(error: unknown): NetworkFailure | undefined {
  if (!error || typeof error !== "object") return undefined;
  const fields = error as {
    code?: unknown;
    name?: unknown;
    $response?: unknown;
    [FAILED_ENDPOINT]?: unknown;
    hostname?: unknown;
    address?: unknown;
    port?: unknown;
  };
  const endpoint =
    typeof fields[FAILED_ENDPOINT] === "string"
      ? fields[FAILED_ENDPOINT]
      : typeof fields.hostname === "string"
        ? fields.hostname
        : typeof fields.address === "string"
          ? `${fields.address}${fields.port ? `:${String(fields.port)}` : ""}`
          : undefined;
  const code = typeof fields.code === "string" ? fields.code : undefined;
  const name = typeof fields.name === "string" ? fields.name : undefined;
  const located = endpoint ? { endpoint } : {};
  if (code && CONNECTION_CODES[code]) return { code, ...located, meaning: CONNECTION_CODES[code]! };
  if (code && isTlsCode(code))
    return { code, ...located, meaning: "the TLS connection was refused (certificate or protocol)" };
  // An answer that arrived is AWS's: only a request that got none is a timeout.
  if (name && TIMEOUT_NAMES.has(name) && !fields.$response)
    return { code: name, ...located, meaning: "no answer within the per-call time limit" };
  return undefined;
}

/** "could not reach https://sts.us-east-1.amazonaws.com: nothing is listening there (ECONNREFUSED)" */
export function describeNetworkFailure(failure: NetworkFailure): string {
  return `could not reach ${failure.endpoint ?? "the AWS endpoint"}: ${failure.meaning} (${failure.code})`;
}

/** What to check, for a person reading a report. */
export const NETWORK_ADVICE =
  "Check the network path from the runner to that endpoint (proxy, firewall, DNS, VPC endpoint) and " +
  "AWS_ENDPOINT_URL if it is set; the credentials were not the problem";

/**
 * An answer that did not come from AWS: a body that is not the protocol's JSON or XML (an
 * HTML page from a proxy, a captive portal, a firewall), which the SDK fails to parse. Such
 * an answer says nothing about the account, and is the same for every Region behind the
 * same proxy.
 */
export interface ForeignAnswer {
  status: number | undefined;
  /** "an HTML page", "a text/plain answer", "an answer without a content type". */
  kind: string;
  endpoint?: string;
}

export function foreignAnswer(error: unknown): ForeignAnswer | undefined {
  if (!error || typeof error !== "object") return undefined;
  const fields = error as {
    name?: unknown;
    message?: unknown;
    $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
    $metadata?: { httpStatusCode?: number };
    [FAILED_ENDPOINT]?: unknown;
  };
  const message = typeof fields.message === "string" ? fields.message : "";
  // The SDK's words when the body does not parse (JSON protocols raise SyntaxError, XML ones their parser's error).
  if (!/Deserialization error/i.test(message) && fields.name !== "SyntaxError") return undefined;
  const headers = fields.$response?.headers ?? {};
  const contentType = (headers["content-type"] ?? headers["Content-Type"] ?? "").split(";")[0]!.trim().toLowerCase();
  const kind = contentType.includes("html")
    ? "an HTML page"
    : contentType
      ? `a ${contentType} answer`
      : "an answer without a content type";
  const status = fields.$response?.statusCode ?? fields.$metadata?.httpStatusCode;
  return {
    status,
    kind,
    ...(typeof fields[FAILED_ENDPOINT] === "string" ? { endpoint: fields[FAILED_ENDPOINT] } : {}),
  };
}

/** "an HTML page (HTTP 502) from https://…, not an AWS answer: a proxy in between?" */
export function describeForeignAnswer(answer: ForeignAnswer): string {
  const status = answer.status ? ` (HTTP ${answer.status})` : "";
  return `${answer.kind}${status} from ${answer.endpoint ?? "the AWS endpoint"}, not an AWS answer: a proxy in between?`;
}

/** The error's AWS name (ThrottlingException, AccessDenied, ...), or the JS one. */
export function errorName(error: unknown): string {
  if (error && typeof error === "object" && "name" in error) return String((error as { name: unknown }).name);
  return "Error";
}

/**
 * One line for a report: the network cause and endpoint, what answered instead of AWS, or
 * the AWS error code and its message; never a stack, never the SDK's advice on its internals.
 */
export function describeError(error: unknown): string {
  const network = networkFailure(error);
  if (network) return describeNetworkFailure(network);
  const foreign = foreignAnswer(error);
  if (foreign) return describeForeignAnswer(foreign);
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  return message && !message.startsWith(name) ? `${name}: ${message}` : message || name;
}

/** AWS's codes for a refusal: a role that is missing or does not trust the caller, a permission not granted. */
const ACCESS_DENIED_CODES = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "AuthorizationError",
  "AccessDeniedForDependencyException",
]);

/** Where a failure happened, as the caller knows it: the SDK's error does not say which call it was. */
export interface FailureFacts {
  call?: string;
  region?: string;
  role?: string;
}

/**
 * A failed call as data (inventory.ts, Failure): its kind, told from the error's fields
 * (network code, what answered, AWS's error code and status), and the facts.
 */
export function failureOf(error: unknown, facts: FailureFacts = {}): Failure {
  const where = {
    ...(facts.call ? { call: facts.call } : {}),
    ...(facts.region ? { region: facts.region } : {}),
    ...(facts.role ? { role: facts.role } : {}),
  };
  const network = networkFailure(error);
  if (network)
    return {
      kind: "unreachable",
      ...where,
      code: network.code,
      ...(network.endpoint ? { endpoint: network.endpoint } : {}),
    };
  const foreign = foreignAnswer(error);
  if (foreign)
    return {
      kind: "not-aws",
      ...where,
      answer: foreign.kind,
      ...(foreign.status ? { status: foreign.status } : {}),
      ...(foreign.endpoint ? { endpoint: foreign.endpoint } : {}),
    };
  const code = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const facts2 = { ...where, code, ...(status ? { status } : {}), ...(message && message !== code ? { message } : {}) };
  if (isThrottlingError(error as Parameters<typeof isThrottlingError>[0])) return { kind: "throttled", ...facts2 };
  // AWS's own words, not ours: some services refuse with a generic code and say so in the message.
  if (ACCESS_DENIED_CODES.has(code) || /not authorized to perform/i.test(message))
    return { kind: "access-denied", ...facts2 };
  return { kind: "aws-error", ...facts2 };
}

const NETWORK_MEANINGS: Record<string, string> = {
  ...CONNECTION_CODES,
  TimeoutError: "no answer within the per-call time limit",
  RequestTimeout: "no answer within the per-call time limit",
};

/** What AWS (or the system) said: "AccessDenied: User … is not authorized …", or the code alone. */
function said(failure: Failure): string {
  const code = failure.code ?? "";
  const message = failure.message ?? "";
  return message && code && !message.startsWith(code) ? `${code}: ${message}` : message || code || "no detail";
}

/**
 * A failure in words, for a report: the network cause and endpoint, what answered instead of
 * AWS, or AWS's code and message, with the role for an AssumeRole. The one place an inventory's
 * failures become sentences.
 */
export function describeFailure(failure: Failure): string {
  const assume = failure.call === "STS.AssumeRole" && failure.role;
  switch (failure.kind) {
    case "unreachable": {
      const code = failure.code ?? "";
      const meaning =
        NETWORK_MEANINGS[code] ?? (isTlsCode(code) ? "the TLS connection was refused (certificate or protocol)" : code);
      const reach = `could not reach ${failure.endpoint ?? "the AWS endpoint"}: ${meaning} (${code})`;
      return assume ? `AssumeRole for ${failure.role} never reached AWS STS: ${reach}` : reach;
    }
    case "not-aws": {
      const answer = describeForeignAnswer({
        kind: failure.answer ?? "an answer",
        status: failure.status,
        ...(failure.endpoint ? { endpoint: failure.endpoint } : {}),
      });
      return assume ? `could not assume ${failure.role}: ${answer}` : answer;
    }
    case "timed-out":
      return `timed out after ${Math.round((failure.limitMs ?? 0) / 1000)} s`;
    case "stopped":
      return "not read: the scan stopped early, as AWS stopped answering";
    case "no-region-read":
      return "no Region could be read";
    case "unknown":
      return failure.message ?? "unknown";
    default:
      return assume ? `could not assume ${failure.role}: ${said(failure)}` : said(failure);
  }
}

/** Why the scan stopped early: "16 AWS calls in a row failed and none was answered: the last could not reach …". */
export function describeStoppedEarly(failure: Failure): string {
  if (failure.kind === "unknown" || failure.callsInARow === undefined) return describeFailure(failure);
  return `${failure.callsInARow} AWS calls in a row failed and none was answered: the last ${describeFailure(failure)}`;
}

/** The HTTP status of a failed GitHub (Octokit) call, or undefined when none came back. */
export function httpStatusOf(error: unknown): number | undefined {
  if (!error || typeof error !== "object" || !("status" in error)) return undefined;
  const status = Number((error as { status: unknown }).status);
  return Number.isFinite(status) ? status : undefined;
}

/** GitHub's message for a failed call: its own words from the answer, else the error's. */
export function githubMessageOf(error: unknown): string {
  return (
    (error as { response?: { data?: { message?: string } } }).response?.data?.message ??
    (error instanceof Error ? error.message : String(error))
  );
}

export interface GitHubValidationError {
  resource?: string;
  field?: string;
  code?: string;
  message?: string;
}

/** The details of a 422: which field GitHub refused and why. */
export function githubValidationErrors(error: unknown): GitHubValidationError[] {
  const errors = (error as { response?: { data?: { errors?: unknown } } }).response?.data?.errors;
  return Array.isArray(errors)
    ? errors.filter((item): item is GitHubValidationError => typeof item === "object" && item !== null)
    : [];
}

/**
 * A GitHub call that failed, in one line: the call, GitHub's status and words, and the likely
 * cause, told by status: "GitHub answered 401 to GET …/issues (list the tracked issues): Bad
 * credentials; the token was refused: it expired, or github-token is not the secret meant."
 */
export function describeGitHubCall(error: unknown, call: string, permission: string): string {
  const status = httpStatusOf(error);
  const answered = (error as { response?: unknown } | undefined)?.response !== undefined;
  if (!answered)
    return (
      `${call} got no answer from GitHub (${process.env.GITHUB_API_URL || "https://api.github.com"}): ` +
      `${describeError(error)}; check the runner's network path to it, then re-run`
    );
  const said = githubMessageOf(error);
  return `GitHub answered ${status} to ${call} (${said}); ${githubCause(status, said, permission) ?? "see GitHub's message"}`;
}

/**
 * The likely cause of GitHub's answer, by status (and GitHub's words, which tell a rate limit
 * from a missing permission); undefined when the status says nothing more than the message.
 */
export function githubCause(
  status: number | undefined,
  said: string,
  permission: string,
  repository = "this repository",
): string | undefined {
  if (status === 401) return "the token was refused: it expired, or github-token is not the secret meant";
  if ((status === 403 || status === 429) && /rate limit/i.test(said))
    return "GitHub's rate limit; the next run continues";
  if (status === 403)
    return `the token lacks \`permissions: ${permission}\` (give it to the job, or pass a token that has it as github-token)`;
  if (status === 404) return `the token cannot see ${repository} (a token of another repository or installation?)`;
  if (status !== undefined && status >= 500) return "a failure on GitHub's side; re-run the workflow later";
  return undefined;
}

/** "HTTP 422: Validation Failed (assignees invalid)". */
export function describeGitHubError(error: unknown): string {
  const status = httpStatusOf(error);
  const details = githubValidationErrors(error)
    .map((detail) => detail.message ?? [detail.resource, detail.field, detail.code].filter(Boolean).join(" "))
    .filter(Boolean);
  return `${status ? `HTTP ${status}: ` : ""}${githubMessageOf(error)}${details.length > 0 ? ` (${details.join("; ")})` : ""}`;
}
