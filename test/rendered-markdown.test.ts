import { describe, expect, it } from "vitest";
import { escapeMarkdown, markdownTable } from "../src/github/markdown.js";
import { markdownDefects, renderMarkdown } from "./support/rendered-markdown.js";

/** The checker every Markdown test relies on: it must see each way Markdown goes wrong on GitHub. */
describe("markdownDefects, the rendering check", () => {
  const table = markdownTable(
    ["Account", "Cause"],
    [
      ["a", "b"],
      ["c", "d"],
    ],
  );

  it("passes a table, a folded table with its blank line, and escaped text", () => {
    expect(markdownDefects(`## Heading\n\n${table}\n`)).toEqual([]);
    expect(markdownDefects(`<details><summary>2 accounts</summary>\n\n${table}\n\n</details>\n`)).toEqual([]);
    expect(markdownDefects(`${escapeMarkdown("pay-ledger (6049): _x_ & <y> 9.2 s")}\n`)).toEqual([]);
    expect(renderMarkdown(escapeMarkdown("pay-ledger (6049)"))).toBe("<p>pay-ledger (6049)</p>");
  });

  it("finds a table swallowed by the HTML block of a <summary> without a blank line after it", () => {
    const defects = markdownDefects(`<details><summary>2 accounts</summary>\n${table}\n\n</details>\n`);
    expect(defects).toContain("3 table rows written, 0 rendered");
    expect(defects.some((defect) => defect.startsWith("table row shown as text"))).toBe(true);
  });

  it("finds a literal entity, Markdown left as text, and a backslash escape where escapes do nothing", () => {
    expect(markdownDefects("Alice&amp;#39;s\n")).toEqual(["entity shown literally: Alice&#39;s"]);
    expect(markdownDefects("<details><summary>see [the run](https://x.test)</summary>\n\nok\n</details>\n")).toEqual([
      "Markdown shown as text: see [the run](https://x.test)",
    ]);
    expect(markdownDefects(`<summary>${escapeMarkdown("9.2 s")}</summary>\n`)).toEqual(["backslash shown: 9\\.2 s"]);
  });
});

describe("escapeMarkdown, escaping only what Markdown reads", () => {
  it("leaves hyphens, parentheses and dots of names alone, so raw bodies stay readable", () => {
    expect(escapeMarkdown("pay-ledger (604952123148): IAM, STS, CloudFront. 9.2 s")).toBe(
      "pay-ledger (604952123148): IAM, STS, CloudFront. 9.2 s",
    );
  });

  it("still keeps every construct inert, where the text starts a block too", () => {
    for (const text of [
      "# heading",
      "- item",
      "+ item",
      "1. item",
      "2) item",
      "=== rule",
      "*a* _b_ ~c~ `d` $e$ [f](g) | h",
    ]) {
      const html = renderMarkdown(`- ${escapeMarkdown(text)}`);
      expect(html, text).toBe(`<ul>\n<li>${text.replace(/&/g, "&amp;")}</li>\n</ul>`);
    }
  });
});
