/** What GitHub accepts as a login and as a team, as owners are given. */
export const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** A team as GitHub mentions it: "org/team-slug". Never assigned (GitHub assigns people); mentioned once, at creation. */
export const GITHUB_TEAM = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function isTeam(owner: string): boolean {
  return GITHUB_TEAM.test(owner);
}
