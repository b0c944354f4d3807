/**
 * "Did you mean": the candidate a mistyped name most likely meant, by edit distance
 * (Levenshtein), when it is close enough to be a typo (at most `maxEdits` edits) and no
 * other candidate is as close.
 */
export function closestName(typed: string, candidates: readonly string[], maxEdits = 2): string | undefined {
  const ranked = candidates
    .map((candidate) => ({ candidate, edits: editDistance(typed.toLowerCase(), candidate.toLowerCase()) }))
    .sort((a, b) => a.edits - b.edits);
  const [best, next] = ranked;
  if (!best || best.edits > maxEdits || (next && next.edits === best.edits)) return undefined;
  return best.candidate;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
