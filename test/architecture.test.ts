import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { globSync } from "tinyglobby";
import { describe, expect, it } from "vitest";

/** Each source file's imports of other source files (type-only imports included: they couple too). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of globSync(["src/**/*.ts", "!src/**/*.d.ts"]).sort()) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/g)].map((match) =>
      normalize(join(dirname(file), match[1]!.replace(/\.js$/, ".ts"))),
    );
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle, each as the files around it, found once from its smallest file. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  const walk = (start: string, at: string, path: string[]) => {
    for (const next of graph.get(at) ?? []) {
      if (next === start) {
        const cycle = [...path];
        const key = [...cycle].sort().join(" ");
        if (!found.has(key)) found.set(key, cycle);
      } else if (!path.includes(next) && next > start) walk(start, next, [...path, next]);
    }
  };
  for (const file of graph.keys()) walk(file, file, [file]);
  return [...found.values()];
}

/**
 * The data flows one way (settings → AWS → inventory → rules → findings → reporters), and
 * the imports say so: a change to one stage cannot reach back into an earlier one.
 */
describe("the layout of src/", () => {
  const graph = importGraph();
  const importers = (from: (file: string) => boolean, to: (file: string) => boolean) =>
    [...graph].flatMap(([file, targets]) =>
      from(file) ? targets.filter(to).map((target) => `${file} → ${target}`) : [],
    );

  it("has no import cycle", () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(cycles(graph)).toEqual([]);
  });

  it("keeps AWS I/O apart from evaluation: aws/ imports nothing of rules/, inventory.ts nothing of aws/", () => {
    expect(
      importers(
        (file) => file.startsWith("src/aws/"),
        (target) => target.startsWith("src/rules/"),
      ),
    ).toEqual([]);
    expect(
      importers(
        (file) => file === "src/inventory.ts",
        (target) => target.startsWith("src/aws/"),
      ),
    ).toEqual([]);
  });

  it("keeps evaluation free of I/O: rules/ imports neither aws/ nor github/ nor reporters/", () => {
    expect(
      importers(
        (file) => file.startsWith("src/rules/"),
        (target) => /^src\/(aws|github|reporters)\//.test(target),
      ),
    ).toEqual([]);
  });

  it("lets no reporter or GitHub module import the orchestrator (audit.ts) or an entry point", () => {
    expect(
      importers(
        (file) => /^src\/(github|reporters)\//.test(file),
        (target) => /^src\/(audit|main|cli|index|cli-main)\.ts$/.test(target),
      ),
    ).toEqual([]);
  });
});
