import { homedir } from "node:os";
import { join } from "node:path";
import { parseKnownFiles } from "@smithy/core/config";
import { ConfigurationError } from "../configuration-error.js";

/**
 * Checks that a named profile exists in the shared config or credentials file, before any
 * AWS call: the SDK's own words for a missing profile ("Could not load credentials from any
 * providers") never name it. `source` is how the user named it (the flag or AWS_PROFILE).
 */
export async function checkProfileExists(name: string, source: string): Promise<void> {
  const profiles = await parseKnownFiles({ profile: name, ignoreCache: true });
  if (profiles[name]) return;
  const configFile = process.env.AWS_CONFIG_FILE ?? join(homedir(), ".aws", "config");
  const credentialsFile = process.env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), ".aws", "credentials");
  const known = Object.keys(profiles).sort();
  throw new ConfigurationError(
    `${source} names profile "${name}", which neither ${configFile} nor ${credentialsFile} defines ` +
      `(${known.length > 0 ? `profiles there: ${known.join(", ")}` : "they define no profile"}). ` +
      "Create it with aws configure --profile NAME (or aws configure sso), or give another.",
  );
}
