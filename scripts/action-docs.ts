#!/usr/bin/env tsx
/**
 * Keeps README.md's inputs and outputs tables, and the CLI's flag help, equal to action.yml,
 * and its rule table equal to the rules' modules: `npm run docs` rewrites the tables between
 * their markers and src/input-help.ts; the tests fail when they drift.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { RULE_IDS, RULES } from "../src/rules/catalog.js";
import { historyExampleMarkdown } from "./history-example.js";

interface ActionMetadata {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
}

const cell = (text: string) =>
  text
    .replace(/\|/g, "\\|")
    .replace(/\s*\n\s*/g, " ")
    .trim();

export function renderTables(actionYaml: string): { inputs: string; outputs: string } {
  const action = parseYaml(actionYaml) as ActionMetadata;
  const inputs = [
    "| input | default | what it accepts |",
    "|---|---|---|",
    ...Object.entries(action.inputs).map(
      ([name, input]) =>
        `| \`${name}\` | ${input.default ? `\`${cell(String(input.default))}\`` : ""} | ${cell(input.description)} |`,
    ),
  ].join("\n");
  const outputs = [
    "| output | what it holds |",
    "|---|---|",
    ...Object.entries(action.outputs).map(([name, output]) => `| \`${name}\` | ${cell(output.description)} |`),
  ].join("\n");
  return { inputs, outputs };
}

/** README's rule table, from each rule's own module: most severe first. */
export function renderRulesTable(): string {
  const rules = [...RULE_IDS]
    .map((id) => RULES[id])
    .sort((a, b) => b.securitySeverity - a.securitySeverity || RULE_IDS.indexOf(a.id) - RULE_IDS.indexOf(b.id));
  return [
    "| id | level | security severity | when |",
    "|---|---|---|---|",
    ...rules.map(
      (rule) => `| \`${rule.id}\` | ${cell(rule.levels)} | ${rule.securitySeverity.toFixed(1)} | ${cell(rule.when)} |`,
    ),
  ].join("\n");
}

export function updateReadme(readme: string, actionYaml: string): string {
  const tables = { ...renderTables(actionYaml), rules: renderRulesTable(), history: historyExampleMarkdown() };
  let result = readme;
  for (const [name, table] of Object.entries(tables)) {
    const pattern = new RegExp(`(<!-- action-${name}:start[^>]*-->\\n)[\\s\\S]*?(<!-- action-${name}:end -->)`);
    if (!pattern.test(result))
      throw new Error(`README.md lacks the <!-- action-${name}:start --> ... <!-- action-${name}:end --> markers`);
    result = result.replace(pattern, (_match, start: string, end: string) => `${start}${table}\n${end}`);
  }
  return result;
}

/** src/input-help.ts: each input's description, for `--help` (the bundle cannot read action.yml). */
export function renderInputHelp(actionYaml: string): string {
  const action = parseYaml(actionYaml) as ActionMetadata;
  const entries = Object.entries(action.inputs).map(
    ([name, input]) =>
      `  ${JSON.stringify(name)}: ${inChunks(input.description.replace(/\s*\n\s*/g, " ").trim())
        .map((chunk) => JSON.stringify(chunk))
        .join(" +\n    ")},`,
  );
  const source =
    "// Generated from action.yml by `npm run docs`; do not edit.\n" +
    `export const INPUT_HELP: Record<string, string> = {\n${entries.join("\n")}\n};\n`;
  // As Biome would format it, so that the lint step and this generator agree.
  return execFileSync(join("node_modules", ".bin", "biome"), ["format", `--stdin-file-path=${INPUT_HELP_FILE}`], {
    input: source,
    encoding: "utf8",
  });
}

/** A long description as pieces of at most ~90 characters, cut after spaces: lines stay short. */
function inChunks(text: string): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const word of text.split(/(?<= )/)) {
    if (current.length + word.length > 90 && current) {
      chunks.push(current);
      current = "";
    }
    current += word;
  }
  return [...chunks, current];
}

export const INPUT_HELP_FILE = "src/input-help.ts";

if (import.meta.url === `file://${process.argv[1]}`) {
  const actionYaml = readFileSync("action.yml", "utf8");
  const readme = readFileSync("README.md", "utf8");
  const updated = updateReadme(readme, actionYaml);
  writeFileSync("README.md", updated);
  writeFileSync(INPUT_HELP_FILE, renderInputHelp(actionYaml));
  console.log(
    updated === readme ? "README.md tables already match action.yml" : "README.md tables rewritten from action.yml",
  );
}
