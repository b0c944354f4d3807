import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";

/**
 * A small HTTP proxy in front of moto that sees every AWS request on the wire. It counts
 * requests by service and operation, and can answer chosen requests with an AWS error of
 * its own (a refused AssumeRole, a throttle, a 500) to produce behaviours moto lacks.
 */
export interface AwsCall {
  service: string;
  operation: string;
  /** The raw request body: form parameters for query protocols, JSON for the others. */
  body: string;
  headers: IncomingMessage["headers"];
  /** The account whose credentials signed the call, learnt from the AssumeRole answers that passed by. */
  accountId?: string;
  /** The Region the call was signed for. */
  region: string;
}

export interface InjectedFault {
  status: number;
  /** For JSON protocols (CloudTrail, Organizations): __type; for query protocols (STS, EC2): Code. */
  code: string;
  message: string;
}

/** A page that is not AWS's: what a proxy, captive portal or firewall answers in its place. */
export interface ForeignPage {
  page: string;
  status: number;
  contentType: string;
}

/** "stall": never answer; "reset": drop the connection. */
export type FaultRule = (call: AwsCall) => InjectedFault | ForeignPage | "stall" | "reset" | undefined;

export interface RecordedReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Rewrites moto's answer body to one AWS would give (a behaviour moto cannot produce); undefined leaves it. */
export type AnswerRewrite = (call: AwsCall, body: string) => string | undefined;

/**
 * Signs a request over to another caller before moto sees it: returns the access key moto
 * should take the call as coming from (moto derives the account from it), or undefined.
 */
export type CallerSwap = (call: AwsCall) => string | undefined;

export interface AwsProxy {
  endpoint: string;
  calls: AwsCall[];
  faults: FaultRule[];
  rewrites: AnswerRewrite[];
  callerSwaps: CallerSwap[];
  /** Added before every answer, like a real AWS round trip (the benchmark's 50 ms). */
  latencyMs: number;
  /**
   * "forward" passes to moto; "record" also remembers each answer by request; "replay"
   * answers remembered requests itself, so moto's own speed is not what is measured.
   */
  mode: "forward" | "record" | "replay";
  recorded: Map<string, RecordedReply>;
  /** Requests replay mode had to forward because nothing was recorded for them. */
  replayMisses: number;
  /** When set, Organizations' List calls are forwarded asking for at most this many items a page (AWS: 20). */
  organizationsPageSize: number;
  count(operation: string): number;
  close(): Promise<void>;
}

export async function startAwsProxy(target: string, callerAccountId = "123456789012"): Promise<AwsProxy> {
  const proxy = {
    latencyMs: 0,
    mode: "forward" as AwsProxy["mode"],
    recorded: new Map<string, RecordedReply>(),
    replayMisses: 0,
    organizationsPageSize: 0,
  };
  const calls: AwsCall[] = [];
  const accountByAccessKey = new Map<string, string>([["testing", callerAccountId]]);
  const faults: FaultRule[] = [];
  const rewrites: AnswerRewrite[] = [];
  const callerSwaps: CallerSwap[] = [];
  const targetUrl = new URL(target);
  const stalled: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const call = describeCall(req, body.toString(), accountByAccessKey);
      calls.push(call);
      const answer = () => respond(req, res, call, body);
      if (proxy.latencyMs > 0) setTimeout(answer, proxy.latencyMs);
      else answer();
    });
  });

  function respond(req: IncomingMessage, res: ServerResponse, call: AwsCall, body: Buffer): void {
    for (const rule of faults) {
      const fault = rule(call);
      if (fault === "stall") {
        stalled.push(res);
        return;
      }
      if (fault === "reset") {
        req.socket.destroy();
        return;
      }
      if (fault && "page" in fault) {
        res.writeHead(fault.status, { "content-type": fault.contentType });
        res.end(fault.page);
        return;
      }
      if (fault) return answerFault(res, call, fault);
    }
    const key = replayKey(req, call);
    if (proxy.mode === "replay") {
      const reply = proxy.recorded.get(key);
      if (reply) {
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
        return;
      }
      proxy.replayMisses += 1;
    }
    const headers = { ...req.headers };
    for (const swap of callerSwaps) {
      const accessKey = swap(call);
      if (accessKey)
        headers.authorization = String(headers.authorization ?? "").replace(
          /Credential=[^/]+\//,
          `Credential=${accessKey}/`,
        );
    }
    const forwarded = pageSizeCapped(call, body, proxy.organizationsPageSize);
    if (forwarded !== body) headers["content-length"] = String(forwarded.length);
    const upstream = httpRequest(
      { hostname: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers },
      (reply) => {
        const parts: Buffer[] = [];
        reply.on("data", (chunk: Buffer) => parts.push(chunk));
        reply.on("end", () => {
          let text = Buffer.concat(parts).toString();
          for (const rewrite of rewrites) text = rewrite(call, text) ?? text;
          if (call.operation === "AssumeRole") {
            const accessKey = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(text)?.[1];
            const account = /arn:[\w-]+:iam::(\d{12}):role/.exec(
              new URLSearchParams(call.body).get("RoleArn") ?? "",
            )?.[1];
            if (accessKey && account) accountByAccessKey.set(accessKey, account);
          }
          const headers = Object.fromEntries(
            Object.entries(reply.headers)
              .filter(([name]) => !["content-length", "transfer-encoding", "connection", "date"].includes(name))
              .map(([name, value]) => [name, String(value)]),
          );
          if (proxy.mode === "record" && (reply.statusCode ?? 500) < 500)
            proxy.recorded.set(key, { status: reply.statusCode ?? 500, headers, body: text });
          res.writeHead(reply.statusCode ?? 500, headers);
          res.end(text);
        });
      },
    );
    upstream.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    upstream.end(forwarded);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return Object.assign(proxy, {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    faults,
    rewrites,
    callerSwaps,
    count: (operation: string) => calls.filter((call) => call.operation === operation).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of stalled) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/**
 * AWS answers Organizations' List calls at most 20 items a page, whatever MaxResults asks
 * (moto pages 100): with a cap set, the request is forwarded asking for no more than it.
 */
function pageSizeCapped(call: AwsCall, body: Buffer, cap: number): Buffer {
  if (!cap || call.service !== "organizations" || !call.operation.startsWith("List")) return body;
  const input = JSON.parse(body.toString() || "{}") as { MaxResults?: number };
  input.MaxResults = Math.min(input.MaxResults ?? cap, cap);
  return Buffer.from(JSON.stringify(input));
}

/** What makes two requests the same for replay: everything but the signature's time and nonce. */
function replayKey(req: IncomingMessage, call: AwsCall): string {
  const accessKey = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "";
  return [req.method, req.url, req.headers["x-amz-target"] ?? "", call.region, call.service, accessKey, call.body].join(
    "\n",
  );
}

function describeCall(req: IncomingMessage, body: string, accountByAccessKey: Map<string, string>): AwsCall {
  const authorization = String(req.headers.authorization ?? "");
  const credential = /Credential=([^/]+)\/[^/]+\/([^/]+)\/([^/]+)\//.exec(authorization);
  const service = credential?.[3] ?? "unknown";
  const region = credential?.[2] ?? "unknown";
  const accountId = accountByAccessKey.get(credential?.[1] ?? "");
  const target = req.headers["x-amz-target"];
  let operation = "unknown";
  if (typeof target === "string") operation = target.split(".").pop() ?? operation;
  else operation = new URLSearchParams(body).get("Action") ?? (req.url ?? "").split("?")[0] ?? operation;
  return { service, operation, body, headers: req.headers, region, ...(accountId ? { accountId } : {}) };
}

function answerFault(res: ServerResponse, call: AwsCall, fault: InjectedFault): void {
  if (call.headers["x-amz-target"]) {
    res.writeHead(fault.status, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": fault.code });
    res.end(JSON.stringify({ __type: fault.code, message: fault.message }));
    return;
  }
  res.writeHead(fault.status, { "content-type": "text/xml" });
  res.end(
    `<ErrorResponse><Error><Type>Sender</Type><Code>${fault.code}</Code><Message>${fault.message}</Message></Error>` +
      "<RequestId>injected</RequestId></ErrorResponse>",
  );
}

/** A small seeded generator, so that a fault rate hits the same requests on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The throttling error each service answers with. */
export function throttleFor(call: AwsCall): InjectedFault {
  if (call.service === "organizations")
    return {
      status: 400,
      code: "TooManyRequestsException",
      message: "AWS Organizations can't complete your request because another request is already in progress.",
    };
  if (call.service === "sts") return { status: 400, code: "Throttling", message: "Rate exceeded" };
  if (call.service === "ec2") return { status: 503, code: "RequestLimitExceeded", message: "Request limit exceeded." };
  return { status: 400, code: "ThrottlingException", message: "Rate exceeded" };
}
