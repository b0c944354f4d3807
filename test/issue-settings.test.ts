import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadOwnersFile, OWNERS_FILE_MAX_BYTES } from "../src/github/issue-settings.js";

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), "ota-owners-")), "owners.yml");
  writeFileSync(path, text);
  return path;
};

describe("owners-file", () => {
  it("reads 80,000 account keys (the YAML parser's own duplicate check compared every key with every other)", async () => {
    const lines = Array.from({ length: 80_000 }, (_, index) => `"${100_000_000_000 + index}": owner-${index % 7}`);
    const owners = await loadOwnersFile(file(lines.join("\n")));
    expect(owners.size).toBe(80_000);
    expect(owners.get("100000079999")).toEqual([`owner-${79_999 % 7}`]);
  });

  it("still names a key given twice", async () => {
    await expect(
      loadOwnersFile(file('"111122223333": alice\nou-ab12-cdefgh34: bob\n"111122223333": carol\n')),
    ).rejects.toThrow(/gives the key "111122223333" twice; give each key once/);
  });

  it("refuses a file past its stated size before parsing it", async () => {
    const path = file(`# ${"x".repeat(OWNERS_FILE_MAX_BYTES)}\n"111122223333": alice\n`);
    await expect(loadOwnersFile(path)).rejects.toThrow(/which is 8\.0 MiB; it accepts files of at most 8 MiB/);
  });

  it("accepts teams (org/team) beside logins, and refuses what is neither", async () => {
    const owners = await loadOwnersFile(file('"111122223333": ["@acme/platform", alice]\n'));
    expect(owners.get("111122223333")).toEqual(["acme/platform", "alice"]);
    await expect(loadOwnersFile(file('"111122223333": "acme/"\n'))).rejects.toThrow(
      /gives "acme\/" for 111122223333; values must be GitHub logins or teams \(org\/team\)/,
    );
  });
});
