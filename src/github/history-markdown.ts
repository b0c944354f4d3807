import { findingKey } from "../changes.js";
import type { Finding } from "../findings.js";
import { countOf, formatNumber } from "../plural.js";
import { addDays } from "../calendar.js";
import {
  ageText,
  deadlinesText,
  trendLine,
  NO_OWNER,
  UNKNOWN_UNIT,
  type FindingAge,
  type RemediationHistory,
  type Scorecard,
  type Trend,
  type TrendPoint,
} from "../remediation-history.js";
import { codeCell, escapeMarkdown, htmlText, markdownTable } from "./markdown.js";

/** Rows a scorecard shows before the rest are folded. */
export const SCORECARD_ROWS = 10;
/** Rows of the overdue list shown before the rest are folded. */
export const OVERDUE_ROWS = 20;

/**
 * The trend as a Mermaid line chart, which GitHub renders in issues, comments and job
 * summaries (the job summary of Kesin11/actions-timeline is a Mermaid chart). Days run on the
 * x axis as days before this run; xychart has no legend, so the caption names the lines.
 */
export function trendChart(trend: Trend, lastDays: number): string[] {
  const points = trend.points.slice(-lastDays);
  if (points.length < 2) return [];
  const today = points[points.length - 1]!.date;
  const first = points[0]!.date;
  const span = Math.round((Date.parse(today) - Date.parse(first)) / 86_400_000);
  // One value per day of the span: a day the history has no point for repeats the day before.
  const byDate = new Map(points.map((point) => [point.date, point]));
  const daily: TrendPoint[] = [];
  for (let back = span; back >= 0; back -= 1) {
    const date = addDays(today, -back);
    daily.push(byDate.get(date) ?? daily[daily.length - 1] ?? points[0]!);
  }
  const series = (field: keyof Omit<TrendPoint, "date">) => `[${daily.map((point) => point[field]).join(", ")}]`;
  const top = Math.max(1, ...daily.flatMap((point) => [point.noncompliant, point.notAssessed, point.overdue]));
  return [
    "```mermaid",
    "xychart-beta",
    `  x-axis "Days before this run" ${-span} --> 0`,
    `  y-axis "Accounts" 0 --> ${top}`,
    `  line ${series("noncompliant")}`,
    `  line ${series("notAssessed")}`,
    `  line ${series("overdue")}`,
    "```",
    "",
    `The lines: non-compliant, not assessed and overdue accounts, in that order, from ${first} to ${today}.`,
  ];
}

/** The overdue section, right after the plan: counts, the findings oldest first, and who holds them. */
export function overdueMarkdown(
  history: RemediationHistory,
  owners: Map<string, string[]>,
  unitOf: (accountId: string) => string | undefined,
): string[] {
  if (!history.remediationDays) return [];
  const { overdue } = history;
  const lines = [
    "",
    "### Overdue",
    "",
    overdue.length === 0
      ? `Nothing is past remediation-days (${deadlinesText(history.remediationDays)}).`
      : `**${countOf(overdue.length, "finding")}** in **${countOf(history.overdueAccounts, "account")}** ` +
        `${overdue.length === 1 ? "is" : "are"} past remediation-days (${deadlinesText(history.remediationDays)}), oldest first.`,
  ];
  if (overdue.length === 0) return lines;
  const byOwner = history.scorecards.byOwner.filter((card) => card.overdue > 0);
  if (byOwner.length > 0)
    lines.push(
      "",
      `By owner: ${byOwner
        .slice(0, SCORECARD_ROWS)
        .map((card) => `${ownerName(card.name)} (${formatNumber(card.overdue)})`)
        .join(
          ", ",
        )}${byOwner.length > SCORECARD_ROWS ? `, and ${formatNumber(byOwner.length - SCORECARD_ROWS)} more` : ""}.`,
    );
  const rows = overdue.map((finding) => overdueRow(finding, history.ages.get(findingKey(finding)), owners, unitOf));
  lines.push(
    "",
    ...folded(["Account", "OU", "Owner", "Rule", "Open", "Due"], rows, OVERDUE_ROWS, "More overdue findings"),
  );
  return lines;
}

function overdueRow(
  finding: Finding,
  age: FindingAge | undefined,
  owners: Map<string, string[]>,
  unitOf: (accountId: string) => string | undefined,
): string[] {
  return [
    finding.accountName && finding.accountName !== finding.accountId
      ? `${escapeMarkdown(finding.accountName)} (${finding.accountId})`
      : finding.accountId,
    escapeMarkdown(unitOf(finding.accountId) ?? "unknown"),
    (owners.get(finding.accountId) ?? []).map(ownerName).join(", "),
    `${finding.level}: ${codeCell(finding.ruleId)}`,
    ageText(age),
    age?.dueOn ?? "",
  ];
}

/** An owner named as text: a summary never mentions anyone. */
function ownerName(name: string): string {
  return name.startsWith("(") ? escapeMarkdown(name) : codeCell(`@${name}`);
}

/** The trend section: one line, and a small chart of the last 30 days. */
export function trendMarkdown(history: RemediationHistory, chartDays: number): string[] {
  return [
    "",
    "### Trend",
    "",
    escapeMarkdown(trendLine(history)),
    ...(history.trend.points.length >= 2 ? ["", ...trendChart(history.trend, chartDays)] : []),
    ...history.missing.map((line) => `\n> [!NOTE]\n> ${escapeMarkdown(line)}`),
  ];
}

/** Scorecards by owner and by OU, worst first: the first ten shown, the rest folded. */
export function scorecardsMarkdown(history: RemediationHistory): string[] {
  const header = ["Open findings", "Overdue", "Oldest", "Fixed (90 days)", "Median days to fix"];
  const row = (card: Scorecard, name: string) => [
    name,
    formatNumber(card.openFindings),
    formatNumber(card.overdue),
    card.openFindings === 0 ? "none open" : card.oldestDays === undefined ? "unknown" : countOf(card.oldestDays, "day"),
    formatNumber(card.fixed),
    card.medianDaysToFix === undefined ? "" : String(card.medianDaysToFix),
  ];
  const tables = [
    {
      cards: history.scorecards.byOwner,
      unknown: NO_OWNER,
      by: "owner",
      column: "Owner",
      name: ownerName,
      more: "owners",
    },
    {
      cards: history.scorecards.byUnit,
      unknown: UNKNOWN_UNIT,
      by: "organizational unit",
      column: "OU",
      name: escapeMarkdown,
      more: "OUs",
    },
  ];
  // A card for "no owner" alone (no owners-file, no tags, create-issues off) or "OU unknown" alone says nothing.
  return tables
    .filter(({ cards, unknown }) => cards.some((card) => card.name !== unknown))
    .flatMap(({ cards, by, column, name, more }) => [
      "",
      `### Scorecard by ${by}`,
      "",
      ...folded(
        [column, ...header],
        cards.map((card) => row(card, name(card.name))),
        SCORECARD_ROWS,
        `More ${more}`,
      ),
    ]);
}

/** Rows a folded table holds at most: the summary stays readable (and within its 1 MiB); the JSON report has them all. */
export const FOLDED_ROWS_MAX = 100;

/** A table whose first rows show and the rest fold into a details element, up to FOLDED_ROWS_MAX. */
function folded(header: string[], rows: string[][], shown: number, more: string): string[] {
  const kept = rows.slice(0, FOLDED_ROWS_MAX);
  const lines = [markdownTable(header, kept.slice(0, shown))];
  if (kept.length > shown)
    lines.push(
      "",
      `<details><summary>${htmlText(`${more} (${formatNumber(kept.length - shown)})`)}</summary>`,
      "",
      markdownTable(header, kept.slice(shown)),
      "",
      "</details>",
    );
  if (rows.length > kept.length)
    lines.push("", `${formatNumber(rows.length - kept.length)} more rows are in the JSON report (report-file).`);
  return lines;
}
