import { createHash } from "node:crypto";

/** One of n deterministic slices of the accounts, for a job matrix. */
export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/**
 * Whether an account belongs to a shard. The slice depends on the account id alone, so
 * adding or removing accounts never moves the others to another shard (and another
 * job's issues).
 */
export function inShard(accountId: string, shard: Shard | undefined): boolean {
  if (!shard || shard.count === 1) return true;
  const bucket = createHash("sha256").update(accountId).digest().readUInt32BE(0) % shard.count;
  return bucket === shard.index - 1;
}

export function shardLabel(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.count}`;
}
