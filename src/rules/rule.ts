/**
 * What a rule is. Each rule lives in a module of its own (README.md, "Development"); catalog.ts
 * lists them. Rule ids are a public contract: they become code-scanning alert ids and users
 * filter on them, so an id never changes once released.
 */
export type Level = "error" | "warning" | "note";

export const LEVEL_RANK: Record<Level, number> = { note: 1, warning: 2, error: 3 };

export interface RuleDefinition {
  id: RuleId;
  /** PascalCase name, as SARIF reporting descriptors carry. */
  name: string;
  defaultLevel: Level;
  /** GitHub's 0.0-10.0 scale: 9+ critical, 7+ high, 4+ medium, above 0 low. */
  securitySeverity: number;
  /** Its levels as README's rule table says them: "error (warning when another trail still covers)". */
  levels: string;
  /** When it is raised, in README's rule table. */
  when: string;
  shortDescription: string;
  fullDescription: string;
  help: string;
}

export const RULE_IDS = [
  "cloudtrail/global-events-not-recorded",
  "cloudtrail/global-events-flag-ineffective",
  "cloudtrail/global-events-duplicated",
  "cloudtrail/global-events-reads-not-recorded",
  "cloudtrail/account-not-assessed",
  "cloudtrail/global-events-not-delivered",
  "cloudtrail/global-events-single-region",
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export const NOV_2021 =
  "Since 22 November 2021 AWS records the events of its global services (IAM, STS through the global " +
  "endpoint, CloudFront) in us-east-1 only: a single-Region trail homed in any other Region receives " +
  "none of them, even with IncludeGlobalServiceEvents on.";

/** How the plan groups the accounts of one cause: its title, the group's fix, and whether it is a gap. */
export interface CausePlan {
  title: string;
  fix: string;
  /** The command pattern for one account (HOME and TRAIL_ARN stand for each trail's). */
  command?: string;
  /** The account's global service events go unrecorded: what an organization trail would cover. */
  gap: boolean;
}
