import {
  groupFindingsByAccount,
  isAssessed,
  type AccountVerdict,
  type Cause,
  type Evaluation,
  type Finding,
} from "./findings.js";
import type { EventDataStoreRecord, Failure, Inventory, TrailRecord } from "./inventory.js";
import { remediation, shellComment } from "./remediation.js";
import { CAUSE_PLANS, type Level } from "./rules/catalog.js";
import {
  deliveryFailure,
  managementRecording,
  receivesGlobalEvents,
  singleRegionShortfall,
  trailScope,
} from "./trail-facts.js";

/**
 * From findings to a plan: the non-compliant accounts grouped by the cause of their most
 * severe finding (each account counted once), the fix that applies to each whole group,
 * and, where one organization trail would do it, the organization-level fix with what it
 * costs. Pure: reporters render it (job summary, text report, the organization issue).
 */
export interface CauseGroup {
  cause: Cause;
  level: Level;
  title: string;
  /** Every account of the group, in the evaluation's order (most severe first). */
  accounts: { id: string; name: string; organizationalUnit?: string }[];
  /** The OUs with most of the group's accounts, most first (at most TOP_UNITS); empty when the OU tree was not walked. */
  topUnits: { path: string; accounts: number }[];
  /** What fixes the whole group, in words; each account's issue has its exact commands. */
  fix: string;
  /** The command pattern for one account (HOME and TRAIL_ARN stand for each trail's). */
  command?: string;
}

export interface NotAssessedGroup {
  kind: "role-refused" | "network" | "throttled" | "other";
  title: string;
  accounts: { id: string; name: string }[];
  fix: string;
  /** One of the reasons, as said. */
  example: string;
}

export interface OrganizationFix {
  /** create: no organization trail or store records for the organization; repair: one exists but is broken. */
  kind: "create" | "repair";
  /** How many of this run's non-compliant accounts it would make covered. */
  wouldCover: number;
  /** Those accounts. */
  accountIds: string[];
  /** create: accounts that already record their own copy of the management events and would then pay for a second. */
  secondCopies: number;
  managementAccountId: string;
  organizationId: string;
  region: string;
  /** repair: the organization trail or store, and what is wrong with it. */
  recorder?: { arn: string; name: string; homeRegion: string; problem: string };
  /** Exact commands, run in the management account (or the CloudTrail delegated administrator). */
  commands: string[];
}

export interface RemediationPlan {
  noncompliant: number;
  groups: CauseGroup[];
  notAssessed: NotAssessedGroup[];
  organizationFix?: OrganizationFix;
}

/** How many example accounts a group names. */
export const PLAN_EXAMPLES = 3;
/** How many OUs a group names. */
export const TOP_UNITS = 3;

export const ORGANIZATION_TRAIL_TEMPLATE = "deploy/organization-trail.yaml";
export const ORGANIZATION_TRAIL_STACK = "org-trail-audit-organization-trail";

export function buildRemediationPlan(inventory: Inventory, evaluation: Evaluation): RemediationPlan {
  const byAccount = groupFindingsByAccount(evaluation.findings);
  const groups = new Map<Cause, CauseGroup>();
  let noncompliant = 0;
  const gaps: string[] = [];
  const organizationGaps: string[] = [];
  for (const verdict of evaluation.verdicts) {
    // Accepted by an exception: nothing to do until it expires.
    if (verdict.verdict !== "noncompliant" || verdict.excepted) continue;
    noncompliant += 1;
    // Findings are most severe first: the first one is the account's real cause.
    const first = byAccount.get(verdict.accountId)?.[0];
    if (!first || first.cause === "not-assessed") continue;
    const cause = first.cause;
    if (isGap(first)) gaps.push(verdict.accountId);
    if (cause === "organization-trail") organizationGaps.push(verdict.accountId);
    let group = groups.get(cause);
    if (!group) {
      const { command, gap: _gap, ...words } = CAUSE_PLANS[cause];
      // The commands name the Region where global events are recorded in this partition.
      group = {
        cause,
        level: first.level,
        ...words,
        ...(command ? { command: command.replaceAll("us-east-1", inventory.globalEventsRegion) } : {}),
        accounts: [],
        topUnits: [],
      };
      groups.set(cause, group);
    }
    group.accounts.push({
      id: verdict.accountId,
      name: verdict.accountName,
      ...(verdict.organizationalUnit !== undefined ? { organizationalUnit: verdict.organizationalUnit } : {}),
    });
  }
  for (const group of groups.values()) group.topUnits = topUnits(group.accounts);
  const organizationFix = planOrganizationFix(inventory, evaluation, gaps, organizationGaps);
  return {
    noncompliant,
    groups: [...groups.values()].sort(
      (a, b) =>
        Number(b.cause === "organization-trail") - Number(a.cause === "organization-trail") ||
        b.accounts.length - a.accounts.length,
    ),
    notAssessed: groupNotAssessed(evaluation.verdicts),
    ...(organizationFix ? { organizationFix } : {}),
  };
}

/** The OUs holding most of these accounts, most first, ties by path. */
export function topUnits(accounts: { organizationalUnit?: string }[]): { path: string; accounts: number }[] {
  const counts = new Map<string, number>();
  for (const { organizationalUnit } of accounts)
    if (organizationalUnit !== undefined) counts.set(organizationalUnit, (counts.get(organizationalUnit) ?? 0) + 1);
  return [...counts]
    .map(([path, count]) => ({ path, accounts: count }))
    .sort((a, b) => b.accounts - a.accounts || a.path.localeCompare(b.path))
    .slice(0, TOP_UNITS);
}

/** A gap (the account's global service events unrecorded) at error level: what an organization trail would cover. */
function isGap(finding: Finding): boolean {
  return finding.cause !== "not-assessed" && CAUSE_PLANS[finding.cause].gap && finding.level === "error";
}

/**
 * One multi-Region organization trail records for every account of the organization. It is
 * proposed when nothing organization-wide records the events and some account is uncovered;
 * when an organization trail or store exists but is broken, repairing it is the fix.
 */
function planOrganizationFix(
  inventory: Inventory,
  evaluation: Evaluation,
  gaps: string[],
  organizationGaps: string[],
): OrganizationFix | undefined {
  const organization = inventory.organization;
  // Without the organization, or without its trails read from their owner, nothing can be said of them.
  if (!organization || inventory.organizationTrailsFailure || gaps.length === 0) return undefined;
  const base = {
    managementAccountId: organization.managementAccountId,
    organizationId: organization.id,
    region: inventory.globalEventsRegion,
  };
  const trails = inventory.organizationTrails.filter((trail) => trail.isOrganizationTrail);
  const stores = (inventory.organizationEventDataStores ?? []).filter((store) => store.organizationEnabled);
  if (trails.length > 0 || stores.length > 0) {
    if (organizationGaps.length === 0) return undefined;
    const broken = [
      ...trails.map((trail) => trailRepair(trail, inventory)),
      ...stores.map((store) => storeRepair(store, inventory)),
    ].find((repair) => repair !== undefined);
    if (!broken) return undefined;
    return {
      kind: "repair",
      ...base,
      wouldCover: organizationGaps.length,
      accountIds: organizationGaps,
      secondCopies: 0,
      recorder: broken.recorder,
      commands: broken.commands,
    };
  }
  return {
    kind: "create",
    ...base,
    wouldCover: gaps.length,
    accountIds: gaps,
    secondCopies: evaluation.verdicts.filter((verdict) => isAssessed(verdict) && recordsOwnCopy(verdict)).length,
    commands: [
      shellComment(
        `In the management account ${organization.managementAccountId} (or the CloudTrail delegated ` +
          "administrator): let CloudTrail act for the organization, then create the trail and its bucket.",
      ),
      "aws organizations enable-aws-service-access --service-principal cloudtrail.amazonaws.com",
      `aws cloudformation deploy --region ${inventory.globalEventsRegion} --stack-name ` +
        `${ORGANIZATION_TRAIL_STACK} --template-file ${ORGANIZATION_TRAIL_TEMPLATE} --parameter-overrides ` +
        `OrganizationId=${organization.id}`,
    ],
  };
}

/** Covered today by a trail the account owns: with an organization trail, it would store a second copy. */
function recordsOwnCopy(verdict: AccountVerdict): boolean {
  return verdict.coveredBy.some((arn) => arn.split(":")[4] === verdict.accountId && arn.includes(":trail/"));
}

function trailRepair(
  trail: TrailRecord,
  inventory: Inventory,
): { recorder: NonNullable<OrganizationFix["recorder"]>; commands: string[] } | undefined {
  const problems: string[] = [];
  const commands: string[] = [];
  const shortfall = singleRegionShortfall(trailScope(trail), inventory.partition);
  if (!receivesGlobalEvents(trailScope(trail), inventory.partition)) {
    problems.push(shortfall ?? "receives no global service events");
    commands.push(remediation.makeMultiRegion(trail));
  }
  if (trail.status?.isLogging === false) {
    problems.push("stopped (not logging)");
    commands.push(remediation.startLogging(trail));
  }
  const management = managementRecording(trail.selectors);
  if (management && !management.writes) {
    problems.push(management.reads ? "records management reads only" : "records no management events");
    commands.push(remediation.recordAllManagementEvents(trail));
  }
  const delivery = trail.status?.isLogging ? deliveryFailure(trail.status, inventory.generatedAt) : undefined;
  if (delivery) {
    problems.push(`its log files are not delivered (${delivery.error})`);
    commands.push(
      shellComment("Read the delivery error; then fix the bucket, its policy or the KMS key it names:"),
      remediation.trailStatus(trail),
    );
  }
  if (problems.length === 0) return undefined;
  return {
    recorder: { arn: trail.arn, name: trail.name, homeRegion: trail.homeRegion, problem: problems.join("; ") },
    commands,
  };
}

function storeRepair(
  store: EventDataStoreRecord,
  inventory: Inventory,
): { recorder: NonNullable<OrganizationFix["recorder"]>; commands: string[] } | undefined {
  const problems: string[] = [];
  const commands: string[] = [];
  const scope = {
    homeRegion: store.homeRegion,
    isMultiRegion: store.multiRegionEnabled,
    includeGlobalServiceEvents: true,
  };
  if (!receivesGlobalEvents(scope, inventory.partition)) {
    problems.push("single-Region");
    commands.push(
      `aws cloudtrail update-event-data-store --region ${store.homeRegion} --event-data-store ${store.arn} --multi-region-enabled`,
    );
  }
  if (store.status !== "ENABLED") {
    problems.push(`not ingesting (status ${store.status})`);
    commands.push(
      `aws cloudtrail start-event-data-store-ingestion --region ${store.homeRegion} --event-data-store ${store.arn}`,
    );
  }
  const management = managementRecording({ eventSelectors: [], advancedEventSelectors: store.advancedEventSelectors });
  if (management && !management.writes) problems.push("selects no management writes");
  if (problems.length === 0) return undefined;
  return {
    recorder: { arn: store.arn, name: store.name, homeRegion: store.homeRegion, problem: problems.join("; ") },
    commands,
  };
}

const NOT_ASSESSED: Record<NotAssessedGroup["kind"], { title: string; fix: string }> = {
  "role-refused": {
    title: "The audit role was refused (AccessDenied on AssumeRole)",
    fix:
      "Deploy deploy/audit-role.yaml to these accounts (a StackSet reaches every account of an OU), or " +
      "check that its trust policy allows the scanning role.",
  },
  network: {
    title: "AWS could not be reached (connection refused, DNS, TLS or no answer)",
    fix: "Check the runner's network path to the endpoint named in the reason (proxy, firewall, VPC endpoint); the roles are not the problem.",
  },
  throttled: { title: "Throttled by AWS after retries", fix: "Lower the concurrency input and re-run." },
  other: {
    title: "Other read failures",
    fix: "Each reason names the call and Region that failed; re-run, and check the audit role's permissions there.",
  },
};

/** Accounts not assessed, grouped by the kind of failure, so that one cause is said once. */
function groupNotAssessed(verdicts: AccountVerdict[]): NotAssessedGroup[] {
  const groups = new Map<NotAssessedGroup["kind"], NotAssessedGroup>();
  for (const verdict of verdicts) {
    if (verdict.verdict !== "not-assessed") continue;
    const reason = verdict.reason ?? "";
    const kind = notAssessedKind(verdict.failure);
    let group = groups.get(kind);
    if (!group) {
      group = { kind, ...NOT_ASSESSED[kind], accounts: [], example: reason };
      groups.set(kind, group);
    }
    group.accounts.push({ id: verdict.accountId, name: verdict.accountName });
  }
  return [...groups.values()].sort((a, b) => b.accounts.length - a.accounts.length);
}

function notAssessedKind(failure: Failure | undefined): NotAssessedGroup["kind"] {
  switch (failure?.kind) {
    case "access-denied":
      return failure.call === "STS.AssumeRole" ? "role-refused" : "other";
    // A proxy answering, or AWS no longer answering at all: the network path, not the account.
    case "unreachable":
    case "not-aws":
    case "stopped":
      return "network";
    case "throttled":
      return "throttled";
    default:
      return "other";
  }
}
