/**
 * Why a call failed, told by cause: a call that never reached AWS (nothing listening, a
 * name that does not resolve, TLS refused, no answer in time) is a network or endpoint
 * problem, and saying "check the credentials" or "check the trust policy" for it sends
 * people to the wrong place. The endpoint is recorded on the error by the transport
 * (client-config.ts) from the request it sent.
 */

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
