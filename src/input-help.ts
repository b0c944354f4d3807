// Generated from action.yml by `npm run docs`; do not edit.
export const INPUT_HELP: Record<string, string> = {
  "role-name":
    "Role assumed in each member account (a path before the name is allowed). The account the " +
    "caller is in is read with the caller's own credentials.",
  "external-id": "ExternalId passed to AssumeRole, when the audit role's trust policy requires one.",
  "role-session-name": "RoleSessionName for AssumeRole (2-64 of letters, digits and + = , . @ _ -).",
  "role-duration-seconds": "Session length for the assumed roles, 900 to 3600 seconds.",
  accounts:
    "Only these account ids (12 digits, comma or newline separated). With " +
    "organizational-units, the union of both.",
  "exclude-accounts": "Account ids never scanned (12 digits, comma or newline separated).",
  "organizational-units": "OU or root ids; every account beneath them, recursively, is scanned.",
  regions:
    '"enabled" (every Region each account has enabled) or a list of Region codes. The Region ' +
    "that receives global service events (us-east-1) is always read.",
  concurrency:
    "Accounts scanned at once (1-256). The default, 32, was chosen with the benchmark (npm run " +
    "bench; README, Benchmark) as the most in flight at which the scan still follows its " +
    "round-trip bound. Raise it when AWS is far from the runner. It is halved while AWS keeps " +
    "throttling.",
  "sarif-file": "Where the SARIF 2.1.0 result is written, for github/codeql-action/upload-sarif.",
  "report-file":
    "Where the JSON report (summary, verdicts, findings and the full inventory) is written; " + "none when empty.",
  "inventory-file":
    "Evaluate this saved inventory or JSON report instead of calling AWS. Several files (comma " +
    "or newline separated, or globs such as inventories/*.json) must be the shards of one " +
    "sharded scan: they are checked (one organization, every shard once, no account twice) and " +
    "evaluated once, as the whole organization (the fan-in job of a matrix). On a saved scan " +
    "accounts, exclude-accounts, shard and organizational-units (from the OU tree the scan " +
    "walked) select from it; regions is refused.",
  "fail-on": "The step fails when a finding at or above this level exists (none, note, warning, error).",
  "fail-on-scope":
    "Which findings fail the step with fail-on. all (every finding at or above fail-on), new " +
    "(only those new since the last run, from the open code-scanning alerts; for adopting with " +
    "a backlog) or overdue (only those open longer than remediation-days allows). When what " +
    "changed, or how old a finding is, is unknown, the finding counts.",
  shard:
    "k/n: scan only the k-th of n deterministic slices of the selected accounts (for a job " +
    "matrix). Each shard writes its SARIF under categories of its own and syncs issues only " +
    "for its own accounts; to upload one SARIF for the organization, fan the inventories of " +
    "the shards in (inventory-file).",
  "allow-empty":
    "When the selection (accounts, exclude-accounts, organizational-units) holds no account, " +
    "the step fails, so that a typo cannot look like a clean scan. Set true to accept an empty " +
    "selection. A shard whose slice of a non-empty selection is empty does not fail.",
  "remediation-days":
    "How many days a finding of each level may stay open, for example error=30,warning=90 (one " +
    "number: every level). A finding open longer is overdue: the job summary lists it right " +
    "after the plan, its issue gets the overdue label and one comment, the overdue-findings " +
    "output counts it, and fail-on-scope overdue fails on it. The days count from when the " +
    "finding was first seen (its code-scanning alert); while an exception holds the clock " +
    "stops. Empty: no deadline.",
  "exceptions-file":
    "A YAML or JSON file of accepted exceptions, kept in the repository so that adding one is " +
    "a reviewed pull request. Each entry names accounts and/or OUs (nested OUs included), " +
    "optionally rules, a reason, who approved it and an expiry at most a year ahead. An " +
    "excepted finding is still reported, but does not count for fail-on, opens no issue, and " +
    "its code-scanning alert is dismissed as won't fix (needs security-events: write); after " +
    "its expiry it counts again. README, Accepted exceptions.",
  "create-issues":
    "Open, update, reopen and close one remediation issue per account with an error- or " +
    "warning-level finding, and per account whose audit role refused the scanner (only its " +
    "owners can fix that; other read failures are in the job summary).",
  "issue-labels":
    "Labels of the remediation issues (created when missing). The first one is how the action " +
    "finds its issues again.",
  "owner-tag": "Account tag holding the GitHub logins of the account's owners (comma separated).",
  "owners-file":
    "YAML or JSON file in the repository mapping account ids or OU ids to GitHub logins, used " +
    "when the owner tag is not set.",
  "default-assignees": "Logins assigned when neither the owner tag nor owners-file names anyone.",
  "max-issue-operations":
    "Issue writes per run at most (1-500, GitHub's hourly allowance for content writes); the " +
    "rest waits for the next run. Writes are paced a second apart.",
  "issue-grouping":
    "account (one issue per account) or owner (one issue per owner or team, listing all of " +
    "their accounts with each fix). Switching closes the issues of the old grouping, pointing " +
    "to the new ones.",
  "dry-run": "Print the planned issue operations and write nothing.",
  "github-token":
    "Token for the issues and the code-scanning alerts: needs `issues: write` (with " +
    "create-issues) and `security-events: read` (the open alerts kept for accounts not " +
    "assessed, and what changed; the upload's `security-events: write` includes it).",
};
