#!/usr/bin/env tsx
/**
 * Keeps README.md's inputs and outputs tables, and the CLI's flag help, equal to action.yml:
 * `npm run docs` rewrites the tables between their markers and src/input-help.ts; the
 * tests fail when they drift.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";

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

export function updateReadme(readme: string, actionYaml: string): string {
  const tables = renderTables(actionYaml);
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
      `  ${JSON.stringify(name)}: ${JSON.stringify(input.description.replace(/\s*\n\s*/g, " ").trim())},`,
  );
  return `// Generated from action.yml by \`npm run docs\`; do not edit.\nexport const INPUT_HELP: Record<string, string> = {\n${entries.join("\n")}\n};\n`;
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
