/**
 * Everything an organization supplies (account names, tag values, trail names) is shown
 * as text. Only what Markdown would read is escaped, so that raw bodies (notification
 * e-mails, the API) stay readable: the inline punctuation (backslash, backtick, emphasis,
 * brackets, pipes, tildes, GitHub's `$` math), `&`, `<` and `>` as entities (a name like
 * `<img src=x onerror=alert(1)>` renders literally), and what would open a block where the
 * text starts a line (`#`, `-`, `+`, `=`, `1.`). Line breaks become spaces. Punctuation is
 * escaped before entities are written: the other order turned an entity's `#` into `\#`.
 */
export function escapeMarkdown(text: string): string {
  return escapeWithin(text)
    .replace(/^(\s*)([#+\-=])/, "$1\\$2")
    .replace(/^(\s*\d+)([.)])/, "$1\\$2");
}

/** Escaped for the middle of a line, where "-", "#" and "1." start nothing. */
function escapeWithin(text: string): string {
  return withoutReferences(
    text
      .replace(/\r?\n|\r/g, " ")
      .replace(/[\\`*_[\]|~$]/g, "\\$&")
      .replace(/[&<>]/g, (char) => HTML_ENTITIES[char]!),
  );
}

const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** Invisible, and enough to break what GitHub would otherwise link: Dependabot writes "@&#8203;login" for the same reason. */
const ZERO_WIDTH_SPACE = "\u200B";

/**
 * Outside text never notifies, references or links: GitHub turns "@login" and "@org/team"
 * into mentions, "#12" and "GH-12" into issue references, and bare URLs, "www." and e-mail
 * addresses into links (GFM's autolink extension), in text but not in code. A zero-width
 * space after the "@", the "#", "GH-" and the scheme or "www" keeps the text as written to the
 * eye and inert to GitHub. Applied to text already escaped (escapeMarkdown's "\#", "\-", "\.").
 */
function withoutReferences(escaped: string): string {
  return escaped
    .replace(/@/g, `@${ZERO_WIDTH_SPACE}`)
    .replace(/#(?=\d)/g, `#${ZERO_WIDTH_SPACE}`)
    .replace(/\b(GH\\?-)(?=\d)/gi, `$1${ZERO_WIDTH_SPACE}`)
    .replace(/\b(https?|ftp)(?=:\/\/)/gi, `$1${ZERO_WIDTH_SPACE}`)
    .replace(/\b(www)(?=\\?\.)/gi, `$1${ZERO_WIDTH_SPACE}`);
}

/**
 * One of our sentences, which may quote outside text, as Markdown: a span it puts in backticks
 * (`permissions: issues: write`) is code, as a reader expects, and everything else is escaped.
 * Safe whatever the quoted text holds: the result is only inlineCode spans and escaped prose.
 */
export function sentenceMarkdown(text: string): string {
  let markdown = "";
  let last = 0;
  for (const span of text.matchAll(/`([^`\r\n]+)`/g)) {
    const prose = text.slice(last, span.index);
    markdown += (last === 0 ? escapeMarkdown(prose) : escapeWithin(prose)) + inlineCode(span[1]!);
    last = span.index + span[0].length;
  }
  const rest = text.slice(last);
  return markdown + (last === 0 ? escapeMarkdown(rest) : escapeWithin(rest));
}

/** A login named in text without notifying it: only the owners the action assigns are mentioned. */
export function namedLogin(login: string): string {
  return inlineCode(`@${login}`);
}

/** Text inside HTML we write (a <summary>): entities only, as backslash escapes show there as typed. */
export function htmlText(text: string): string {
  return text.replace(/[&<>]/g, (char) => HTML_ENTITIES[char]!).replace(/\r?\n|\r/g, " ");
}

/** A Markdown table: header cells are ours; row cells must already be escaped. */
export function markdownTable(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`];
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n");
}

/** Code inside backticks cannot be escaped: fence it with a run longer than any it contains. */
export function inlineCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const padded = text.startsWith("`") || text.endsWith("`") ? ` ${text} ` : text;
  return `${fence}${padded.replace(/\r?\n|\r/g, " ")}${fence}`;
}

/** Inline code inside a table cell: GFM ends the cell at a pipe even within backticks. */
export function codeCell(text: string): string {
  return inlineCode(text).replace(/\|/g, "\\|");
}
