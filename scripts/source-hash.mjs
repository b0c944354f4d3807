// Prints a hash of what dist/ is built from (src/ and the lockfile). `npm run package` saves it
// in dist/source-hash.txt; the dist smoke tests compare it, so they never test an old bundle.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { globSync } from "tinyglobby";

const files = [...globSync(["src/**/*.ts"]).sort(), "package-lock.json"];
const hash = createHash("sha256");
for (const file of files) hash.update(file).update("\0").update(readFileSync(file)).update("\0");
process.stdout.write(`${hash.digest("hex")}\n`);
