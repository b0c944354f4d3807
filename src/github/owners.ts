import { GITHUB_LOGIN } from "./github-names.js";

export interface OwnerSources {
  /** The owner tag's value on the account, when it was read and set. */
  tagValue?: string;
  ownersByKey: Map<string, string[]>;
  /** The account's parents, nearest first (OUs, then the root), when known. */
  parents?: string[];
  defaultAssignees: string[];
}

export interface ResolvedOwners {
  logins: string[];
  source: "tag" | "owners-file" | "default-assignees" | "none";
  /** Tag values that are not GitHub logins. */
  ignored: string[];
}

/** The account tag first, then owners-file (the account, then its nearest OU), then default-assignees. */
export function resolveOwners(accountId: string, sources: OwnerSources): ResolvedOwners {
  const ignored: string[] = [];
  if (sources.tagValue) {
    const candidates = sources.tagValue
      .split(",")
      .map((login) => login.trim().replace(/^@/, ""))
      .filter(Boolean);
    const logins = candidates.filter((login) => GITHUB_LOGIN.test(login));
    ignored.push(...candidates.filter((login) => !GITHUB_LOGIN.test(login)));
    if (logins.length > 0) return { logins: unique(logins), source: "tag", ignored };
  }
  for (const key of [accountId, ...(sources.parents ?? [])]) {
    const logins = sources.ownersByKey.get(key);
    if (logins) return { logins: unique(logins), source: "owners-file", ignored };
  }
  if (sources.defaultAssignees.length > 0)
    return { logins: unique(sources.defaultAssignees), source: "default-assignees", ignored };
  return { logins: [], source: "none", ignored };
}

function unique(logins: string[]): string[] {
  const seen = new Set<string>();
  return logins.filter((login) => {
    const key = login.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
