#!/usr/bin/env node
// Regenerates test/fixtures/github-rest-operations.json: the operations of GitHub's
// published OpenAPI description (npm package @octokit/openapi) that org-trail-audit calls.
// The full description is 385 MB installed, too heavy for every `npm ci`, so the tests'
// fake GitHub checks requests against this extract instead. To refresh it:
//   npm install --no-save @octokit/openapi && node scripts/extract-github-openapi.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const OPERATIONS = [
  ["get", "/repos/{owner}/{repo}/issues"],
  ["post", "/repos/{owner}/{repo}/issues"],
  ["patch", "/repos/{owner}/{repo}/issues/{issue_number}"],
  ["post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  // Whether a comment whose write failed was made after all, before it is written again.
  ["get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["get", "/repos/{owner}/{repo}/assignees/{assignee}"],
  ["get", "/repos/{owner}/{repo}/labels/{name}"],
  ["post", "/repos/{owner}/{repo}/labels"],
  ["post", "/repos/{owner}/{repo}/issues/{issue_number}/assignees"],
  ["delete", "/repos/{owner}/{repo}/issues/{issue_number}/assignees"],
  // The overdue label (remediation-days), added when an issue's account becomes overdue.
  ["post", "/repos/{owner}/{repo}/issues/{issue_number}/labels"],
  // Taken off when the issue reopens: a new episode earns its own overdue comment.
  ["delete", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"],
  // With its answer's schema: the fake's alerts are checked against it, since the action
  // reads fields from them (rule, most_recent_instance) rather than only sending requests.
  ["get", "/repos/{owner}/{repo}/code-scanning/alerts", { withResponse: true }],
  // Dismissing and reopening the alerts of accepted exceptions (exceptions-file).
  ["patch", "/repos/{owner}/{repo}/code-scanning/alerts/{alert_number}"],
];

const require = createRequire(import.meta.url);
const specPath = require.resolve("@octokit/openapi/generated/api.github.com.deref.json");
const spec = JSON.parse(readFileSync(specPath, "utf8"));
const version = JSON.parse(readFileSync(require.resolve("@octokit/openapi/package.json"), "utf8")).version;

const operations = OPERATIONS.map(([method, path, { withResponse = false } = {}]) => {
  const operation = spec.paths[path]?.[method];
  if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not in the OpenAPI description`);
  return {
    operationId: operation.operationId,
    method: method.toUpperCase(),
    path,
    parameters: (operation.parameters ?? []).map(({ name, in: where, required, schema }) => ({
      name,
      in: where,
      required: required === true,
      schema,
    })),
    requestBody: operation.requestBody?.content?.["application/json"]?.schema ?? null,
    responses: Object.keys(operation.responses ?? {}),
    ...(withResponse ? { responseBody: operation.responses["200"].content["application/json"].schema } : {}),
  };
});

writeFileSync(
  new URL("../test/fixtures/github-rest-operations.json", import.meta.url),
  `${JSON.stringify({ source: `@octokit/openapi@${version} generated/api.github.com.deref.json`, operations }, null, 2)}\n`,
);
console.log(`wrote ${operations.length} operations from @octokit/openapi@${version}`);
