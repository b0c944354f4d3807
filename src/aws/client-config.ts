import { Agent } from "node:https";
import { Agent as HttpAgent } from "node:http";
import { isThrottlingError, StandardRetryStrategy } from "@smithy/core/retry";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity, RetryErrorInfo, StandardRetryToken } from "@smithy/types";
import { FAILED_ENDPOINT, foreignAnswer } from "../error-description.js";
import { emptyApiStats, type ApiStats } from "../api-stats.js";
import { TOOL_NAME, TOOL_VERSION } from "../version.js";

/**
 * How every AWS client of one scan talks: one connection pool shared by all accounts and
 * Regions (thousands of short-lived clients would otherwise each open their own sockets),
 * jittered retries with more attempts than the SDK's 3 (large orgs get throttled), a time
 * limit on every attempt so that a stalled endpoint cannot hang the scan, and counters.
 */
export interface AwsTransport {
  requestHandler: NodeHttpHandler;
  maxAttempts: number;
  stats: ApiStats;
  /** Told of every throttled attempt and every successful call, by service (the concurrency governor). */
  onThrottle?: (service: string) => void;
  onSuccess?: (service: string) => void;
  /** Told of every call that failed after its retries, with the call ("Service.Operation"). */
  onFailure?: (service: string, error: unknown, call: string) => void;
  /** Per service, the settings the SDK resolved for the scan's first client: see SharedSettings. */
  shared: Map<string, SharedSettings | "learning">;
  destroy(): void;
}

/**
 * What every client of a service would work out the same way from the environment and the
 * shared config files (configured endpoint, FIPS, dual-stack, app id, auth preference):
 * learnt from the scan's first client of the service and handed to the rest. Each client
 * otherwise walks those provider chains itself, throwing and catching an error per miss,
 * which with a client per account was about a fifth of the scan's CPU time.
 */
interface SharedSettings {
  configuredEndpoint?: string;
  useFipsEndpoint: boolean;
  useDualstackEndpoint: boolean;
  userAgentAppId?: string;
  authSchemePreference?: string[];
}

export interface TransportOptions {
  /** Per attempt, in ms. */
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
    // Without this the handler only logs a stalled request and waits for ever.
    throwOnRequestTimeout: true,
  });
  return {
    requestHandler,
    maxAttempts: options.maxAttempts,
    stats: emptyApiStats(),
    shared: new Map(),
    destroy: () => {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}

// The SDK's middleware types differ per client; the two we add work on every one.
type MiddlewareStack = { add(middleware: unknown, options: { step: string; name: string; priority?: string }): void };

/** An SDK client on the shared transport, counted: every client of a scan is made here. */
export function createClient<Client extends { middlewareStack: unknown }>(
  Constructor: new (config: ReturnType<typeof clientConfig>) => Client,
  transport: AwsTransport,
  region: string,
  credentials?: AwsCredentialIdentity,
): Client {
  const service = Constructor.name.replace(/Client$/, "");
  const shared = transport.shared.get(service);
  const client = new Constructor(
    clientConfig(transport, region, credentials, shared === "learning" ? undefined : shared),
  );
  if (!shared) {
    transport.shared.set(service, "learning");
    learnSharedSettings((client as unknown as { config: unknown }).config).then(
      (learnt) => transport.shared.set(service, learnt),
      () => transport.shared.delete(service),
    );
  }
  const { stats } = transport;
  const stack = client.middlewareStack as MiddlewareStack;
  // Outside the retry loop: one count per call, with the attempts it took.
  stack.add(
    (
      next: (args: unknown) => Promise<{ output: { $metadata?: { attempts?: number } } }>,
      context: { commandName?: string },
    ) =>
      async (args: unknown) => {
        const operation = `${service}.${(context.commandName ?? "Unknown").replace(/Command$/, "")}`;
        stats.calls[operation] = (stats.calls[operation] ?? 0) + 1;
        try {
          const result = await next(args);
          stats.retries += Math.max(0, (result.output.$metadata?.attempts ?? 1) - 1);
          transport.onSuccess?.(service);
          return result;
        } catch (error) {
          stats.failures += 1;
          transport.onFailure?.(service, error, operation);
          stats.retries += Math.max(0, ((error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) - 1);
          throw error;
        }
      },
    { step: "initialize", name: "orgTrailAuditCallCounter" },
  );
  // Inside the retry loop: sees every attempt's error, so persistent throttling is noticed,
  // and the request it was sent as, so a network failure can name its endpoint.
  stack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (error) {
        const request = (args as { request?: { protocol?: string; hostname?: string; port?: number } }).request;
        if (error && typeof error === "object" && request?.hostname && !(FAILED_ENDPOINT in error)) {
          (error as Record<string, unknown>)[FAILED_ENDPOINT] =
            `${request.protocol ?? "https:"}//${request.hostname}${request.port ? `:${request.port}` : ""}`;
        }
        if (isThrottlingError(error as Parameters<typeof isThrottlingError>[0])) {
          stats.throttles += 1;
          transport.onThrottle?.(service);
        }
        throw error;
      }
    },
    { step: "deserialize", name: "orgTrailAuditThrottleWatch", priority: "high" },
  );
  return client;
}

/** Attempts for an answer that is not AWS's: the SDK's standard-mode default (3) for transient errors. */
export const FOREIGN_ANSWER_MAX_ATTEMPTS = 3;

/**
 * The SDK's standard mode with our attempt count, except for answers that are not AWS's: an
 * HTML page from a proxy comes with a 5xx that the SDK takes for a transient AWS error, and
 * retrying it 8 times in every Region of every account only multiplies the same page.
 */
class AuditRetryStrategy extends StandardRetryStrategy {
  override async refreshRetryTokenForRetry(
    token: StandardRetryToken,
    errorInfo: RetryErrorInfo,
  ): Promise<StandardRetryToken> {
    if (foreignAnswer(errorInfo.error) && token.getRetryCount() + 1 >= FOREIGN_ANSWER_MAX_ATTEMPTS) {
      // The SDK then throws the call's own error, with the attempts made.
      throw new Error("not an AWS answer: no more retries");
    }
    return super.refreshRetryTokenForRetry(token, errorInfo);
  }
}

/**
 * Retries are the SDK's standard mode: exponential backoff with full jitter (longer for
 * throttling), 8 attempts (3 for an answer that is not AWS's: AuditRetryStrategy). Not its adaptive mode: that gives each client a token bucket
 * which a few throttles slow to half a request a second, serialising every AssumeRole on
 * the one STS client, and which a per-account client making three calls never benefits
 * from. Scan-wide adaptation is the concurrency governor's.
 */
function clientConfig(
  transport: AwsTransport,
  region: string,
  credentials?: AwsCredentialIdentity,
  shared?: SharedSettings,
) {
  return {
    region,
    requestHandler: transport.requestHandler,
    retryStrategy: new AuditRetryStrategy(transport.maxAttempts),
    // "org-trail-audit/VERSION" in every call's User-Agent, which CloudTrail records as the
    // event's userAgent: each member account can tell the audit's own calls apart.
    customUserAgent: [[TOOL_NAME, TOOL_VERSION]] as [string, string][],
    ...(credentials ? { credentials } : {}),
    ...(shared
      ? {
          useFipsEndpoint: shared.useFipsEndpoint,
          useDualstackEndpoint: shared.useDualstackEndpoint,
          // Already looked up: either use what was found, or do not look again.
          ...(shared.configuredEndpoint
            ? { endpoint: shared.configuredEndpoint }
            : { ignoreConfiguredEndpointUrls: true }),
          userAgentAppId: () => Promise.resolve(shared.userAgentAppId),
          authSchemePreference: shared.authSchemePreference ?? [],
        }
      : {}),
  };
}

type ResolvedConfig = {
  serviceConfiguredEndpoint?: () => Promise<string | undefined>;
  useFipsEndpoint: () => Promise<boolean>;
  useDualstackEndpoint: () => Promise<boolean>;
  userAgentAppId?: () => Promise<string | undefined>;
  authSchemePreference?: () => Promise<string[] | undefined>;
};

async function learnSharedSettings(clientConfig: unknown): Promise<SharedSettings> {
  const config = clientConfig as ResolvedConfig;
  const [configuredEndpoint, useFipsEndpoint, useDualstackEndpoint, userAgentAppId, authSchemePreference] =
    await Promise.all([
      config.serviceConfiguredEndpoint?.(),
      config.useFipsEndpoint(),
      config.useDualstackEndpoint(),
      config.userAgentAppId?.(),
      config.authSchemePreference?.(),
    ]);
  return {
    ...(configuredEndpoint ? { configuredEndpoint } : {}),
    useFipsEndpoint,
    useDualstackEndpoint,
    ...(userAgentAppId ? { userAgentAppId } : {}),
    ...(authSchemePreference ? { authSchemePreference } : {}),
  };
}
