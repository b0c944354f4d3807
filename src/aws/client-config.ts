import { Agent } from "node:https";
import { Agent as HttpAgent } from "node:http";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity } from "@smithy/types";

/**
 * How every AWS client of one scan talks: one connection pool shared by all accounts and
 * Regions (thousands of short-lived clients would otherwise each open their own sockets),
 * adaptive retries with more attempts than the SDK's 3 (large orgs get throttled), and a
 * time limit on every call so that a stalled endpoint cannot hang the scan.
 */
export interface AwsTransport {
  requestHandler: NodeHttpHandler;
  maxAttempts: number;
  destroy(): void;
}

export interface TransportOptions {
  /** Per call (one attempt), in ms. */
  callTimeoutMs: number;
  maxAttempts: number;
  maxSockets: number;
}

export const DEFAULT_TRANSPORT: TransportOptions = { callTimeoutMs: 20_000, maxAttempts: 8, maxSockets: 512 };

export function createTransport(options: TransportOptions = DEFAULT_TRANSPORT): AwsTransport {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
  const httpsAgent = new Agent(agentOptions);
  const httpAgent = new HttpAgent(agentOptions);
  const requestHandler = new NodeHttpHandler({
    httpsAgent,
    httpAgent,
    connectionTimeout: Math.min(5_000, options.callTimeoutMs),
    requestTimeout: options.callTimeoutMs,
  });
  return {
    requestHandler,
    maxAttempts: options.maxAttempts,
    destroy: () => {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}

export function clientConfig(transport: AwsTransport, region: string, credentials?: AwsCredentialIdentity) {
  return {
    region,
    requestHandler: transport.requestHandler,
    retryMode: "adaptive" as const,
    maxAttempts: transport.maxAttempts,
    ...(credentials ? { credentials } : {}),
  };
}

/** The error's AWS name (ThrottlingException, AccessDenied, ...), or the JS one. */
export function errorName(error: unknown): string {
  if (error && typeof error === "object" && "name" in error) return String((error as { name: unknown }).name);
  return "Error";
}

/** One line for a report: the AWS error code and its message, never a stack. */
export function describeError(error: unknown): string {
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  return message && !message.startsWith(name) ? `${name}: ${message}` : message || name;
}
