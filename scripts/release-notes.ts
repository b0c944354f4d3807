#!/usr/bin/env tsx
/**
 * For the release workflow: checks that a tag vX.Y.Z matches package.json's version and
 * prints that version's CHANGELOG section, which becomes the GitHub release's notes.
 * Fails (exit 1, one line) when the tag is malformed, the versions differ, or the
 * CHANGELOG has no section for it: a release without notes is a mistake.
 */
import { readFileSync } from "node:fs";

export function releaseNotes(tag: string, packageVersion: string, changelog: string): string {
  const match = /^v(\d+\.\d+\.\d+)$/.exec(tag);
  if (!match) throw new Error(`Tag "${tag}" is not vX.Y.Z.`);
  const version = match[1]!;
  if (version !== packageVersion)
    throw new Error(`Tag ${tag} does not match package.json version ${packageVersion}: bump the version first.`);
  const heading = new RegExp(`^## \\[${version.replace(/\./g, "\\.")}\\][^\\n]*\\n`, "m");
  const start = heading.exec(changelog);
  if (!start) throw new Error(`CHANGELOG.md has no "## [${version}]" section: move the Unreleased entries under it.`);
  const rest = changelog.slice(start.index + start[0].length);
  const end = rest.search(/^## /m);
  const notes = (end === -1 ? rest : rest.slice(0, end)).replace(/^\[[^\]]+\]: .*$/gm, "").trim();
  if (!notes) throw new Error(`CHANGELOG.md's section for ${version} is empty.`);
  return `${notes}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tag = process.argv[2] ?? "";
  try {
    const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
    process.stdout.write(releaseNotes(tag, version, readFileSync("CHANGELOG.md", "utf8")));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
