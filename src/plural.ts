/** "1 account", "2 accounts": counts shown to people agree with their nouns. */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? noun : plural}`;
}

/** "6,000": every number the tool writes for people, with the same separators. */
export function formatNumber(count: number): string {
  return count.toLocaleString("en-US");
}
