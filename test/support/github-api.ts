import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";

/**
 * A local server that behaves like GitHub's REST API for the endpoints the action uses:
 * pagination with Link headers, 422 for an unassignable login, 403 with retry-after for a
 * secondary rate limit, 404 for unknown routes. Every request is checked against GitHub's
 * published OpenAPI description (test/fixtures/github-rest-operations.json, extracted from
 * @octokit/openapi by scripts/extract-github-openapi.mjs); mismatches are collected.
 */
interface Operation {
  operationId: string;
  method: string;
  path: string;
  parameters: { name: string; in: string; required: boolean; schema: object }[];
  requestBody: object | null;
  /** The 200 answer's schema, for the operations whose answers the action reads fields from. */
  responseBody?: object;
}

// GitHub's answer to an issue body over 65,536 characters.
const BODY_TOO_LONG = {
  message: "Validation Failed",
  errors: [
    { resource: "Issue", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" },
  ],
};
const tooLong = (text: unknown) => typeof text === "string" && text.length > 65_536;

const spec: { operations: Operation[] } = JSON.parse(
  readFileSync(new URL("../fixtures/github-rest-operations.json", import.meta.url), "utf8"),
);

/** What GitHub's runner sets for a job in acme/platform, pointing the action at this stand-in. */
export function runnerEnvironment(github: Pick<FakeGitHub, "url">, runId = "4242"): Record<string, string> {
  return {
    GITHUB_API_URL: github.url,
    GITHUB_REPOSITORY: "acme/platform",
    GITHUB_RUN_ID: runId,
    GITHUB_SERVER_URL: "https://github.com",
  };
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason: string | null;
  labels: string[];
  assignees: string[];
  comments: string[];
  /** GitHub's created_at and closed_at (the stand-in's clock, `now`). */
  createdAt?: string;
  closedAt?: string | null;
}

/**
 * A code-scanning alert as GitHub keeps it. GitHub identifies an alert by tool, category,
 * rule, location path and fingerprint; an upload updates the alerts of its categories.
 */
export interface FakeAlert {
  number: number;
  tool: string;
  category: string;
  ruleId: string;
  severity: string;
  path: string;
  fingerprint: string;
  state: "open" | "fixed" | "dismissed";
  /** When an upload no longer held it, and when it was dismissed: cleared when it is open again. */
  fixedAt?: string | null;
  dismissedAt?: string | null;
  /** Set by a dismissal (PATCH), cleared by a reopening. */
  dismissedReason?: string | null;
  dismissedComment?: string | null;
  message: string;
  /** When the upload that first reported it happened. */
  createdAt: string;
}

export interface RecordedRequest {
  at?: number;
  method: string;
  path: string;
  operationId?: string;
  body?: unknown;
}

export interface FakeGitHub {
  url: string;
  /** The stand-in's clock for the dates it keeps (created_at, closed_at, dismissed_at): real time unless a test sets it. */
  now: () => string;
  owner: string;
  repo: string;
  issues: FakeIssue[];
  labels: Set<string>;
  assignable: Set<string>;
  /** Logins the assignees check accepts but an issue write refuses (access lost in between). */
  revoked: Set<string>;
  /** Labels another job creates between this one's check and its create: get answers 404, create 422 already_exists. */
  labelsCreatedElsewhere: Set<string>;
  requests: RecordedRequest[];
  /** Requests that do not match GitHub's description (unknown route, bad parameter or body). */
  violations: string[];
  /** The next N writes answer 403 with retry-after (a secondary rate limit). */
  secondaryRateLimits: number;
  /**
   * By operation id, how many of its next writes are performed and then answered 502, as when
   * GitHub's front end gives up on a request its back end completed.
   */
  failAfterWrite: Record<string, number>;
  /** By operation id, what GitHub answers instead of performing it (a 500, a 401 "Bad credentials"). */
  answers: Record<string, { status: number; message: string }>;
  /** Writes answer 403 "Resource not accessible by integration", as with a token lacking issues: write. */
  denyWrites: boolean;
  /** Alert updates answer 403, as with a token that may read alerts but lacks security-events: write. */
  denyAlertWrites: boolean;
  alerts: FakeAlert[];
  /** The code-scanning alerts list answers this instead (a token without security-events, say). */
  alertsAnswer?: { status: number; message: string };
  /** What the alerts list returns as most_recent_instance.message.text; GitHub promises nothing of it. */
  alertMessageText?: (text: string) => string;
  /**
   * What code scanning does with an uploaded SARIF ("SARIF support for code scanning";
   * github/codeql-action upload-lib.ts): at most 20 runs and one run per category a file;
   * per run the 5,000 most severe results are stored; every open alert of the run's tool
   * and category that the run does not hold is closed as fixed.
   */
  uploadSarif(log: { runs: any[] }, at?: string): { stored: number; dropped: number };
  /** The workflow's upload-sarif step: the SARIF file the action wrote in `workspace`. */
  uploadSarifFrom(workspace: string, at?: string): { stored: number; dropped: number };
  writes(): RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeGitHub(owner = "acme", repo = "platform"): Promise<FakeGitHub> {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const validators = new Map(
    spec.operations
      .filter((op) => op.requestBody)
      .map((op) => [op.operationId, ajv.compile(toJsonSchema(op.requestBody))]),
  );
  // The fake's own answers are checked too, where the action reads fields from them.
  const answerValidators = new Map(
    spec.operations
      .filter((op) => op.responseBody)
      .map((op) => [op.operationId, ajv.compile(toJsonSchema(op.responseBody!))]),
  );
  const routes = spec.operations.map((op) => ({
    op,
    pattern: new RegExp(`^${op.path.replace(/\{[^}]+\}/g, "([^/]+)")}$`),
    names: [...op.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!),
  }));

  const state: FakeGitHub = {
    url: "",
    now: () => new Date().toISOString(),
    owner,
    repo,
    issues: [],
    labels: new Set(),
    assignable: new Set(),
    revoked: new Set(),
    labelsCreatedElsewhere: new Set(),
    requests: [],
    violations: [],
    secondaryRateLimits: 0,
    failAfterWrite: {},
    answers: {},
    denyWrites: false,
    denyAlertWrites: false,
    alerts: [],
    uploadSarif: (log, at) => uploadSarif(log, at),
    uploadSarifFrom: (workspace, at) =>
      uploadSarif(JSON.parse(readFileSync(join(workspace, "org-trail-audit.sarif"), "utf8")), at),
    writes: () => state.requests.filter((request) => request.method !== "GET"),
    close: async () => undefined,
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString());
      } catch (error) {
        send(res, 500, { message: String(error) });
      }
    });
  });

  function handle(req: IncomingMessage, res: ServerResponse, rawBody: string): void {
    const url = new URL(req.url ?? "/", state.url);
    const operationId = routes.find(
      (candidate) => candidate.op.method === (req.method ?? "GET") && candidate.pattern.test(url.pathname),
    )?.op.operationId;
    if (operationId && (state.failAfterWrite[operationId] ?? 0) > 0) {
      state.failAfterWrite[operationId]! -= 1;
      // The write happens; the answer that says so is lost.
      return perform(
        req,
        { writeHead: () => undefined, end: () => undefined } as unknown as ServerResponse,
        rawBody,
        () => send(res, 502, { message: "Server Error" }),
      );
    }
    perform(req, res, rawBody);
  }

  function perform(req: IncomingMessage, res: ServerResponse, rawBody: string, after?: () => void): void {
    try {
      handleRequest(req, res, rawBody);
    } finally {
      after?.();
    }
  }

  function handleRequest(req: IncomingMessage, res: ServerResponse, rawBody: string): void {
    const url = new URL(req.url ?? "/", state.url);
    const method = req.method ?? "GET";
    const body = rawBody ? JSON.parse(rawBody) : undefined;
    const route = routes.find((candidate) => candidate.op.method === method && candidate.pattern.test(url.pathname));
    state.requests.push({
      at: Date.now(),
      method,
      path: url.pathname + url.search,
      ...(route ? { operationId: route.op.operationId } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    if (!route) {
      state.violations.push(`unknown route ${method} ${url.pathname}`);
      return send(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    }
    const params = Object.fromEntries(
      route.names.map((name, index) => [name, decodeURIComponent(route.pattern.exec(url.pathname)![index + 1]!)]),
    );
    checkParameters(route.op, params, url.searchParams);
    if (body !== undefined) {
      const validate = validators.get(route.op.operationId);
      if (!validate) state.violations.push(`${route.op.operationId} takes no body`);
      else if (!validate(body))
        state.violations.push(`${route.op.operationId} body: ${ajv.errorsText(validate.errors)}`);
    }
    if (params.owner !== owner || params.repo !== repo) return send(res, 404, { message: "Not Found" });
    const answer = state.answers[route.op.operationId];
    if (answer)
      return send(res, answer.status, { message: answer.message, documentation_url: "https://docs.github.com/rest" });
    if (method !== "GET") {
      if (state.denyWrites) return send(res, 403, { message: "Resource not accessible by integration" });
      if (state.secondaryRateLimits > 0) {
        state.secondaryRateLimits -= 1;
        return send(
          res,
          403,
          { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
          { "retry-after": "1" },
        );
      }
    }
    switch (route.op.operationId) {
      case "issues/list-for-repo":
        return listIssues(res, url);
      case "code-scanning/list-alerts-for-repo": {
        if (state.alertsAnswer)
          return send(res, state.alertsAnswer.status, {
            message: state.alertsAnswer.message,
            documentation_url: "https://docs.github.com/rest/code-scanning/code-scanning",
          });
        // GitHub answers 404 "no analysis found" until code scanning has had an upload.
        if (state.alerts.length === 0 && !uploaded)
          return send(res, 404, {
            message: "no analysis found",
            documentation_url: "https://docs.github.com/rest/code-scanning/code-scanning",
          });
        const tool = url.searchParams.get("tool_name");
        const wanted = url.searchParams.get("state");
        const matching = state.alerts
          .filter((alert) => (!tool || alert.tool === tool) && (!wanted || alert.state === wanted))
          .sort((a, b) => b.number - a.number);
        const answer = matching.map(alertJson);
        const validate = answerValidators.get(route.op.operationId)!;
        if (!validate(answer))
          state.violations.push(`the fake's ${route.op.operationId} answer: ${ajv.errorsText(validate.errors)}`);
        return sendPage(res, url, answer);
      }
      case "code-scanning/update-alert": {
        // GitHub's rules for the update (REST API, "Update a code scanning alert").
        const alert = state.alerts.find((item) => item.number === Number(params.alert_number));
        if (!alert) return send(res, 404, { message: "No alert found for alert number" });
        if (state.denyAlertWrites) return send(res, 403, { message: "Resource not accessible by integration" });
        if (body.state === "dismissed" && !body.dismissed_reason)
          return send(res, 422, { message: "dismissed_reason is required when state is dismissed" });
        if (typeof body.dismissed_comment === "string" && body.dismissed_comment.length > 280)
          return send(res, 422, { message: "dismissed_comment is too long (maximum is 280 characters)" });
        if (body.state === "dismissed") {
          alert.state = "dismissed";
          alert.dismissedAt = state.now();
          alert.dismissedReason = body.dismissed_reason;
          alert.dismissedComment = body.dismissed_comment ?? null;
        } else if (body.state === "open") {
          if (alert.state === "fixed") return send(res, 400, { message: "A fixed alert cannot be reopened" });
          alert.state = "open";
          alert.dismissedAt = null;
          alert.dismissedReason = null;
          alert.dismissedComment = null;
        }
        return send(res, 200, alertJson(alert));
      }
      case "issues/create": {
        if (tooLong(body.body)) return send(res, 422, BODY_TOO_LONG);
        const bad = (body.assignees ?? []).find(
          (login: string) => !state.assignable.has(login) || state.revoked.has(login),
        );
        if (bad)
          return send(res, 422, {
            message: "Validation Failed",
            errors: [{ resource: "Issue", field: "assignees", code: "invalid", value: bad }],
          });
        const issue: FakeIssue = {
          number: state.issues.length + 1,
          title: body.title,
          body: body.body ?? "",
          state: "open",
          state_reason: null,
          labels: body.labels ?? [],
          assignees: body.assignees ?? [],
          comments: [],
          createdAt: state.now(),
          closedAt: null,
        };
        for (const label of issue.labels) state.labels.add(label);
        state.issues.push(issue);
        return send(res, 201, issueJson(issue));
      }
      case "issues/update": {
        const issue = state.issues.find((item) => item.number === Number(params.issue_number));
        if (!issue) return send(res, 404, { message: "Not Found" });
        if (tooLong(body.body)) return send(res, 422, BODY_TOO_LONG);
        const bad = (body.assignees ?? []).find((login: string) => !state.assignable.has(login));
        if (bad)
          return send(res, 422, {
            message: "Validation Failed",
            errors: [{ resource: "Issue", field: "assignees", code: "invalid", value: bad }],
          });
        if (body.title !== undefined) issue.title = body.title;
        if (body.body !== undefined) issue.body = body.body;
        if (body.assignees !== undefined) issue.assignees = body.assignees;
        if (body.state !== undefined) {
          issue.state = body.state;
          issue.state_reason = body.state === "closed" ? (body.state_reason ?? "completed") : "reopened";
          issue.closedAt = body.state === "closed" ? state.now() : null;
        }
        return send(res, 200, issueJson(issue));
      }
      case "issues/add-labels": {
        // GitHub adds the labels (creating any the repository lacks) and answers the issue's labels.
        const issue = state.issues.find((item) => item.number === Number(params.issue_number));
        if (!issue) return send(res, 404, { message: "Not Found" });
        const added: string[] = Array.isArray(body) ? body : (body.labels ?? []);
        for (const label of added) {
          if (!issue.labels.includes(label)) issue.labels.push(label);
          state.labels.add(label);
        }
        return send(
          res,
          200,
          issue.labels.map((name) => ({ name })),
        );
      }
      case "issues/remove-label": {
        const issue = state.issues.find((item) => item.number === Number(params.issue_number));
        if (!issue) return send(res, 404, { message: "Not Found" });
        const name = decodeURIComponent(String(params.name));
        if (!issue.labels.includes(name)) return send(res, 404, { message: "Label does not exist" });
        issue.labels = issue.labels.filter((label) => label !== name);
        return send(
          res,
          200,
          issue.labels.map((label) => ({ name: label })),
        );
      }
      case "issues/add-assignees": {
        // GitHub adds the assignable logins and silently ignores the others (REST docs, "Add assignees to an issue").
        const issue = state.issues.find((item) => item.number === Number(params.issue_number));
        if (!issue) return send(res, 404, { message: "Not Found" });
        for (const login of body.assignees ?? [])
          if (state.assignable.has(login) && !issue.assignees.includes(login) && issue.assignees.length < 10)
            issue.assignees.push(login);
        return send(res, 201, issueJson(issue));
      }
      case "issues/remove-assignees": {
        const issue = state.issues.find((item) => item.number === Number(params.issue_number));
        if (!issue) return send(res, 404, { message: "Not Found" });
        issue.assignees = issue.assignees.filter((login) => !(body.assignees ?? []).includes(login));
        return send(res, 200, issueJson(issue));
      }
      case "issues/create-comment": {
        const issue = state.issues.find((item) => item.number === Number(params.issue_number));
        if (!issue) return send(res, 404, { message: "Not Found" });
        issue.comments.push(body.body);
        return send(res, 201, { id: issue.comments.length, body: body.body });
      }
      case "issues/list-comments": {
        const issue = state.issues.find((item) => item.number === Number(params.issue_number));
        if (!issue) return send(res, 404, { message: "Not Found" });
        return sendPage(
          res,
          url,
          issue.comments.map((text, index) => ({ id: issue.number * 1000 + index, body: text })),
        );
      }
      case "issues/check-user-can-be-assigned":
        return state.assignable.has(params.assignee!) ? send(res, 204) : send(res, 404, { message: "Not Found" });
      case "issues/get-label":
        return state.labels.has(params.name!) && !state.labelsCreatedElsewhere.has(params.name!)
          ? send(res, 200, { name: params.name, color: "ededed" })
          : send(res, 404, { message: "Not Found" });
      case "issues/create-label":
        if (state.labels.has(body.name))
          return send(res, 422, {
            message: "Validation Failed",
            errors: [{ resource: "Label", code: "already_exists", field: "name" }],
          });
        state.labels.add(body.name);
        return send(res, 201, { name: body.name, color: body.color });
      default:
        return send(res, 404, { message: "Not Found" });
    }
  }

  function checkParameters(op: Operation, params: Record<string, string>, query: URLSearchParams): void {
    for (const parameter of op.parameters) {
      const value =
        parameter.in === "path"
          ? params[parameter.name]
          : parameter.in === "query"
            ? (query.get(parameter.name) ?? undefined)
            : undefined;
      if (parameter.in === "header") continue;
      if (value === undefined) {
        if (parameter.required)
          state.violations.push(`${op.operationId}: missing ${parameter.in} parameter ${parameter.name}`);
        continue;
      }
      const schema = parameter.schema as { type?: string; enum?: string[] };
      const typed = schema.type === "integer" ? Number(value) : value;
      if (schema.type === "integer" && !Number.isInteger(typed))
        state.violations.push(`${op.operationId}: ${parameter.name}=${value} is not an integer`);
      if (schema.enum && !schema.enum.includes(value))
        state.violations.push(`${op.operationId}: ${parameter.name}=${value} is not one of ${schema.enum.join(", ")}`);
    }
    const known = new Set(op.parameters.map((parameter) => parameter.name));
    for (const name of query.keys())
      if (!known.has(name)) state.violations.push(`${op.operationId}: unknown query parameter ${name}`);
  }

  let uploaded = false;
  function uploadSarif(log: { runs: any[] }, at = state.now()): { stored: number; dropped: number } {
    if (log.runs.length > 20)
      throw new Error(`rejecting SARIF, as there are more runs than allowed (${log.runs.length} > 20)`);
    const categoryOf = (run: any) => String(run.automationDetails?.id ?? "").replace(/\/[^/]*$/, "");
    const categories = log.runs.map(categoryOf);
    if (new Set(categories).size !== categories.length)
      throw new Error("A delivery cannot contain multiple runs with the same category");
    uploaded = true;
    const rank: Record<string, number> = { error: 3, warning: 2, note: 1, none: 0 };
    let stored = 0;
    let dropped = 0;
    for (const run of log.runs) {
      const tool = run.tool.driver.name;
      const category = categoryOf(run);
      const results = [...run.results].sort(
        (a: any, b: any) => (rank[b.level ?? "warning"] ?? 0) - (rank[a.level ?? "warning"] ?? 0),
      );
      const kept = results.slice(0, 5_000);
      stored += kept.length;
      dropped += results.length - kept.length;
      const present = new Set<FakeAlert>();
      for (const result of kept) {
        const path = result.locations[0].physicalLocation.artifactLocation.uri;
        const fingerprint = result.partialFingerprints.primaryLocationLineHash;
        let alert = state.alerts.find(
          (item) =>
            item.tool === tool &&
            item.category === category &&
            item.ruleId === result.ruleId &&
            item.path === path &&
            item.fingerprint === fingerprint,
        );
        if (!alert) {
          alert = {
            number: state.alerts.length + 1,
            tool,
            category,
            ruleId: result.ruleId,
            severity: result.level ?? "warning",
            path,
            fingerprint,
            state: "open",
            message: "",
            createdAt: at,
          };
          state.alerts.push(alert);
        }
        if (alert.state === "fixed") {
          alert.state = "open";
          alert.fixedAt = null;
        }
        alert.message = result.message.text;
        alert.severity = result.level ?? alert.severity;
        present.add(alert);
      }
      for (const alert of state.alerts)
        if (alert.tool === tool && alert.category === category && alert.state === "open" && !present.has(alert)) {
          alert.state = "fixed";
          alert.fixedAt = at;
        }
    }
    return { stored, dropped };
  }

  function alertJson(alert: FakeAlert) {
    const html = `https://github.com/${owner}/${repo}/security/code-scanning/${alert.number}`;
    return {
      number: alert.number,
      created_at: alert.createdAt,
      url: `${state.url}/repos/${owner}/${repo}/code-scanning/alerts/${alert.number}`,
      html_url: html,
      instances_url: `${state.url}/repos/${owner}/${repo}/code-scanning/alerts/${alert.number}/instances`,
      state: alert.state,
      fixed_at: alert.fixedAt ?? null,
      dismissed_by: null,
      dismissed_at: alert.dismissedAt ?? null,
      dismissed_reason: alert.dismissedReason ?? null,
      dismissed_comment: alert.dismissedComment ?? null,
      rule: {
        id: alert.ruleId,
        name: alert.ruleId,
        severity: alert.severity,
        description: alert.ruleId,
        tags: ["security"],
      },
      tool: { name: alert.tool, guid: null, version: "test" },
      most_recent_instance: {
        ref: "refs/heads/main",
        analysis_key: ".github/workflows/audit.yml:audit",
        environment: "{}",
        category: alert.category,
        state: alert.state,
        commit_sha: "0".repeat(40),
        message: { text: state.alertMessageText ? state.alertMessageText(alert.message) : alert.message },
        location: { path: alert.path, start_line: 1, end_line: 1, start_column: 1, end_column: 1 },
        classifications: [],
      },
    };
  }

  /** One page of a list, with GitHub's Link header for the others. */
  function sendPage(res: ServerResponse, url: URL, items: unknown[]): void {
    const perPage = Number(url.searchParams.get("per_page") ?? 30);
    const page = Number(url.searchParams.get("page") ?? 1);
    const pages = Math.max(1, Math.ceil(items.length / perPage));
    const headers: Record<string, string> = {};
    const link = (target: number, rel: string) => {
      const next = new URL(url.toString());
      next.searchParams.set("page", String(target));
      return `<${next.toString()}>; rel="${rel}"`;
    };
    const links = [];
    if (page < pages) links.push(link(page + 1, "next"), link(pages, "last"));
    if (page > 1) links.push(link(1, "first"), link(page - 1, "prev"));
    if (links.length > 0) headers.link = links.join(", ");
    send(res, 200, items.slice((page - 1) * perPage, page * perPage), headers);
  }

  function listIssues(res: ServerResponse, url: URL): void {
    const labels = (url.searchParams.get("labels") ?? "").split(",").filter(Boolean);
    const wantedState = url.searchParams.get("state") ?? "open";
    const matching = state.issues
      .filter((issue) => labels.every((label) => issue.labels.includes(label)))
      .filter((issue) => wantedState === "all" || issue.state === wantedState)
      .sort((a, b) => b.number - a.number);
    sendPage(res, url, matching.map(issueJson));
  }

  function issueJson(issue: FakeIssue) {
    return {
      id: issue.number * 1000,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      state_reason: issue.state_reason,
      created_at: issue.createdAt ?? "2026-01-01T00:00:00Z",
      closed_at: issue.closedAt ?? null,
      labels: issue.labels.map((name) => ({ name })),
      assignees: issue.assignees.map((login) => ({ login })),
      html_url: `https://github.com/${owner}/${repo}/issues/${issue.number}`,
    };
  }

  function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-github-media-type": "github.v3",
      ...headers,
    });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  state.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** OpenAPI 3.0 says `nullable: true` where JSON Schema says `type: [T, "null"]`. */
function toJsonSchema(schema: unknown): object {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== "object") return schema as object;
  const { nullable, ...rest } = schema as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, toJsonSchema(value)]));
  if (nullable === true && Array.isArray(converted.enum) && !converted.enum.includes(null))
    converted.enum = [...converted.enum, null];
  if (nullable === true && typeof converted.type === "string") converted.type = [converted.type, "null"];
  else if (nullable === true && !converted.type) return { anyOf: [converted, { type: "null" }] };
  return converted;
}
