import { createHash } from "node:crypto";
import type { Principal } from "./tokens.js";

/**
 * How a token id or user id is named in a {@link RevocationSnapshot}: a SHA-256, so that the
 * list auth serves to the other services names no user and no live token (see `revocationRoute`).
 */
export const revocationKey = (id: string): string => createHash("sha256").update(id).digest("base64url").slice(0, 22);

/**
 * Every live revocation, as auth serves it: `tokens` are `[key, expiresAt]` (logouts),
 * `users` are `[key, generation, expiresAt]` (user-wide revocations); keys from
 * {@link revocationKey}, times in seconds since the epoch.
 */
export interface RevocationSnapshot {
  tokens: Array<[key: string, expiresAt: number]>;
  users: Array<[key: string, generation: number, expiresAt: number]>;
}

/** One revocation as it is announced: a token (logout) or every token of a user under an older generation. */
export type Revocation = { jti: string; exp: number } | { userId: string; generation: number; expiresAt: number };

const now = () => Math.floor(Date.now() / 1000);

/**
 * The live revocations, in memory: what a token check reads, with no round trip. Entries only
 * ever get added (a generation only grows) and leave once they can no longer matter, so
 * merging a snapshot and notices in any order gives the same list.
 */
export class RevocationList {
  private readonly tokens = new Map<string, number>();
  private readonly users = new Map<string, { generation: number; expiresAt: number }>();

  addToken(key: string, expiresAt: number): void {
    this.tokens.set(key, Math.max(expiresAt, this.tokens.get(key) ?? 0));
  }

  addUser(key: string, generation: number, expiresAt: number): void {
    const known = this.users.get(key);
    if (!known) this.users.set(key, { generation, expiresAt });
    else this.users.set(key, { generation: Math.max(generation, known.generation), expiresAt: Math.max(expiresAt, known.expiresAt) });
  }

  /** Adds one announced revocation. */
  add(revocation: Revocation): void {
    if ("jti" in revocation) this.addToken(revocationKey(revocation.jti), revocation.exp);
    else this.addUser(revocationKey(revocation.userId), revocation.generation, revocation.expiresAt);
  }

  /** Adds every entry of a snapshot (what was added since it was read stays). */
  merge(snapshot: RevocationSnapshot): void {
    for (const [key, expiresAt] of snapshot.tokens) this.addToken(key, expiresAt);
    for (const [key, generation, expiresAt] of snapshot.users) this.addUser(key, generation, expiresAt);
  }

  /** Whether a verified token has been revoked since it was issued. */
  isRevoked(principal: Pick<Principal, "jti" | "userId" | "generation">): boolean {
    if (this.tokens.size > 0 && this.tokens.has(revocationKey(principal.jti))) return true;
    if (this.users.size === 0) return false;
    const user = this.users.get(revocationKey(principal.userId));
    return user !== undefined && principal.generation < user.generation;
  }

  /** Forgets the entries past their expiry. */
  prune(at = now()): void {
    for (const [key, expiresAt] of this.tokens) if (expiresAt < at) this.tokens.delete(key);
    for (const [key, { expiresAt }] of this.users) if (expiresAt < at) this.users.delete(key);
  }

  get size(): number {
    return this.tokens.size + this.users.size;
  }
}
