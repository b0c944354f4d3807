import { constants } from "node:fs";
import { randomUUID } from "node:crypto";
import { access, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { ConfigurationError } from "./configuration-error.js";
import type { Settings } from "./settings.js";

/**
 * Checks every file the run will write before the first AWS call: a scan of thousands of
 * accounts must not end in ENOENT because a report's directory was missing. Missing
 * directories are created; a path given twice (one output overwriting another, or the
 * loaded inventory) and a path that cannot be written are refused with one message.
 */
export async function prepareOutputPaths(
  settings: Pick<Settings, "sarifFile" | "reportFile">,
  inventoryFiles: string[] = [],
): Promise<void> {
  const outputs: [input: string, path: string][] = [["sarif-file", settings.sarifFile]];
  if (settings.reportFile) outputs.push(["report-file", settings.reportFile]);
  const claimed = new Map<string, string>();
  for (const file of inventoryFiles) claimed.set(resolve(file), "inventory-file");
  for (const [input, path] of outputs) {
    const absolute = resolve(path);
    const other = claimed.get(absolute);
    if (other) {
      throw new ConfigurationError(
        `Input "${input}" names ${path}, which input "${other}" names too; give each its own file, or one would overwrite the other.`,
      );
    }
    claimed.set(absolute, input);
    await checkWritable(input, path, absolute);
  }
}

async function checkWritable(input: string, path: string, absolute: string): Promise<void> {
  const directory = dirname(absolute);
  // Proven on the nearest directory that exists, before creating any: Node's recursive
  // mkdir never returns for some paths (/proc/x/y), and access() says yes to root where
  // nothing can be created (/proc).
  const ancestor = await nearestExisting(directory);
  if (!ancestor.isDirectory) {
    throw new ConfigurationError(
      `Input "${input}" names ${path}, whose directory ${directory} cannot be created (ENOTDIR: ${ancestor.path} is a file).`,
    );
  }
  await proveWritable(input, path, ancestor.path);
  try {
    await mkdir(directory, { recursive: true });
  } catch (error) {
    throw new ConfigurationError(
      `Input "${input}" names ${path}, whose directory ${directory} cannot be created (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
    );
  }
  const existing = await stat(absolute).catch(() => undefined);
  if (existing?.isDirectory())
    throw new ConfigurationError(`Input "${input}" names ${path}, which is a directory; it accepts a file path.`);
  if (existing) {
    try {
      await access(absolute, constants.W_OK);
    } catch {
      throw new ConfigurationError(
        `Input "${input}" names ${path}, which this user cannot write (the file is not writable).`,
      );
    }
  }
}

async function nearestExisting(directory: string): Promise<{ path: string; isDirectory: boolean }> {
  let current = directory;
  for (;;) {
    const found = await stat(current).catch(() => undefined);
    if (found) return { path: current, isDirectory: found.isDirectory() };
    const parent = dirname(current);
    if (parent === current) return { path: current, isDirectory: false };
    current = parent;
  }
}

/** Creates and removes a file in the directory: the one proof that the run's file can be written there. */
async function proveWritable(input: string, path: string, directory: string): Promise<void> {
  const probe = join(directory, `.org-trail-audit-probe-${process.pid}-${randomUUID()}`);
  try {
    await writeFile(probe, "", { flag: "wx" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigurationError(
      `Input "${input}" names ${path}, but no file can be created in ${directory} (${code}); give a path in a ` +
        "directory this user can write.",
    );
  }
  await rm(probe, { force: true });
}
