import { findingKey, type Changes } from "./changes.js";
import type { Finding } from "./findings.js";
import type { FindingAge } from "./remediation-history.js";
import { LEVEL_RANK } from "./rules/catalog.js";
import type { FailOn, FailOnScope } from "./settings.js";

/** The findings that make the run fail under the fail-on threshold. */
export function findingsAtOrAbove(findings: Finding[], failOn: FailOn): Finding[] {
  if (failOn === "none") return [];
  return findings.filter((finding) => LEVEL_RANK[finding.level] >= LEVEL_RANK[failOn]);
}

export interface FailingFindings {
  findings: Finding[];
  /** fail-on-scope "new" could not be honoured because what changed is unknown: every finding counted. */
  scopeUnknown?: string;
}

/**
 * The findings that fail the run: at or above fail-on and, with fail-on-scope "new", only
 * those new since the last run. When what changed is unknown, every finding counts: an
 * unreadable baseline must not let old and new breakage pass alike.
 */
export function failingFindings(
  findings: Finding[],
  failOn: FailOn,
  scope: FailOnScope,
  changes: Changes | undefined,
  /** Each finding's age (remediation-history.ts), for fail-on-scope "overdue". */
  ages?: Map<string, FindingAge>,
): FailingFindings {
  const atLevel = findingsAtOrAbove(findings, failOn);
  if (scope === "all") return { findings: atLevel };
  if (scope === "overdue") {
    // A finding of unknown age may be overdue: it counts, as an unknown comparison does for "new".
    const unknown = atLevel.filter((finding) => !ages?.has(findingKey(finding)));
    return {
      findings: atLevel.filter((finding) => {
        const age = ages?.get(findingKey(finding));
        return !age || age.overdueDays !== undefined;
      }),
      ...(unknown.length > 0
        ? {
            scopeUnknown: `${unknown.length} finding${unknown.length === 1 ? " has" : "s have"} no known first sighting`,
          }
        : {}),
    };
  }
  if (!changes?.known) return { findings: atLevel, scopeUnknown: changes?.reason ?? "no earlier run to compare with" };
  const added = new Set(changes.added.map(findingKey));
  return { findings: atLevel.filter((finding) => added.has(findingKey(finding))) };
}
