import { countOf } from "../plural.js";
import type { Finding } from "../findings.js";
import type { Level } from "../rules/catalog.js";

/** GitHub shows at most 10 annotations of each kind per step. */
export const ANNOTATIONS_SHOWN_PER_KIND = 10;

export interface Annotation {
  kind: "error" | "warning" | "notice";
  title: string;
  message: string;
}

const KIND: Record<Level, Annotation["kind"]> = { error: "error", warning: "warning", note: "notice" };

/**
 * The most severe findings as annotations, at most what GitHub shows per kind; where
 * there are more, the last one shown says how many. `reservedErrors` keeps room for the
 * step's own failure message, which is an error annotation too.
 */
export function planAnnotations(findings: Finding[], reservedErrors = 0): Annotation[] {
  const annotations: Annotation[] = [];
  for (const level of ["error", "warning", "note"] as const) {
    const ofLevel = findings.filter((finding) => finding.level === level);
    const room = ANNOTATIONS_SHOWN_PER_KIND - (level === "error" ? reservedErrors : 0);
    const shown = ofLevel.length <= room ? ofLevel : ofLevel.slice(0, room - 1);
    for (const finding of shown) {
      annotations.push({
        kind: KIND[level],
        title: `${finding.ruleId}: ${finding.accountName} (${finding.accountId})`,
        message: finding.message,
      });
    }
    if (shown.length < ofLevel.length) {
      annotations.push({
        kind: KIND[level],
        title: countOf(ofLevel.length - shown.length, `more ${level} finding`, `more ${level} findings`),
        message:
          `${ofLevel.length - shown.length} more ${level}-level findings are not shown as annotations: see the ` +
          "job summary, the code-scanning alerts or the JSON report.",
      });
    }
  }
  return annotations;
}
