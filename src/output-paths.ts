import { constants } from "node:fs";
import { access, mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
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
  try {
    await access(existing ? absolute : directory, constants.W_OK);
  } catch {
    throw new ConfigurationError(
      `Input "${input}" names ${path}, which this user cannot write (${existing ? "the file" : `the directory ${directory}`} is not writable).`,
    );
  }
}
