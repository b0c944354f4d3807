import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";

/**
 * What GitHub shows of Markdown we write, from a CommonMark + GFM parser (micromark with
 * its GFM extension: tables, autolinks, strikethrough, task lists, tag filter), HTML passed
 * through as GitHub passes <details> and <summary>.
 */
export function renderMarkdown(markdown: string): string {
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

/** The text a reader sees: code removed (it is shown as written), tags stripped, entities decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<pre>[\s\S]*?<\/pre>/g, "")
    .replace(/<code>[\s\S]*?<\/code>/g, "")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

const ESCAPED = /\\[!-/:-@[-`{-~]/g;

/**
 * What renders wrong, one line each: a table row shown as text (a table swallowed by an
 * HTML block, or broken by a stray pipe), Markdown left unrendered, an entity shown
 * literally, a backslash escape shown as typed (escapes do nothing inside HTML blocks).
 * Empty when the Markdown renders as meant.
 */
export function markdownDefects(markdown: string): string[] {
  const html = renderMarkdown(markdown);
  const text = visibleText(html);
  const defects: string[] = [];
  const rowsWritten = markdown
    .split("\n")
    .filter((line) => /^\|.*\|\s*$/.test(line) && !/^\|(\s*:?-+:?\s*\|)+\s*$/.test(line)).length;
  const rowsRendered = (html.match(/<tr>/g) ?? []).length;
  if (rowsRendered !== rowsWritten) defects.push(`${rowsWritten} table rows written, ${rowsRendered} rendered`);
  // Markdown we meant (not text we escaped, such as an account named "**pwned**") that shows
  // as typed: looked for with every escaped character neutralised.
  const meant = visibleText(renderMarkdown(markdown.replace(ESCAPED, "x")));
  for (const line of meant.split("\n"))
    if (/\*\*\S|\]\((?:https?:|#)/.test(line)) defects.push(`Markdown shown as text: ${line.slice(0, 120)}`);
  for (const line of text.split("\n")) {
    if (/^\s*\|.*\|\s*$/.test(line)) defects.push(`table row shown as text: ${line.slice(0, 120)}`);
    if (/&(?:[a-z]+|#\d+|#x[\da-f]+);/i.test(line)) defects.push(`entity shown literally: ${line.slice(0, 120)}`);
    if (line.search(ESCAPED) >= 0) defects.push(`backslash shown: ${line.slice(0, 120)}`);
  }
  return defects;
}

/**
 * Every piece of Markdown a run wrote, labelled for a failing assertion: the job summaries
 * given, and each issue's body and comments.
 */
export function everythingWritten(
  summaries: string[],
  issues: { number: number; title: string; body: string; comments: string[] }[],
): { what: string; markdown: string }[] {
  return [
    ...summaries.map((markdown, index) => ({ what: `summary of run ${index + 1}`, markdown })),
    ...issues.flatMap((issue) => [
      { what: `#${issue.number} ${issue.title}`, markdown: issue.body },
      ...issue.comments.map((markdown) => ({ what: `comment on #${issue.number}: ${markdown}`, markdown })),
    ]),
  ];
}
