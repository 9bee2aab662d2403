import type { Redis } from "ioredis";
import type { Principal } from "./tokens.js";

/**
 * Revoked access tokens, in Redis so that every gateway and subgraph instance sees a logout at
 * once. Two kinds of entries, each expiring when it can no longer matter:
 * - `revoked:jti:<jti>`: one token (logout), kept until the token's own `exp`;
 * - `revoked:user:<id>`: every token of a user issued up to that second (deactivation,
 *   password change), kept for the longest access-token lifetime.
 */
export class Revocations {
  /**
   * @param redis shared connection
   * @param prefix key prefix of this deployment (tests use one per run)
   * @param maxTokenTtlSeconds longest access-token lifetime, how long a user marker must live
   */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxTokenTtlSeconds: number,
  ) {}

  private jtiKey = (jti: string) => `${this.prefix}revoked:jti:${jti}`;
  private userKey = (userId: string) => `${this.prefix}revoked:user:${userId}`;

  /** Revokes one token until it expires. */
  async revokeToken(jti: string, exp: number): Promise<void> {
    const ttl = Math.max(1, exp - Math.floor(Date.now() / 1000));
    await this.redis.set(this.jtiKey(jti), "1", "EX", ttl);
  }

  /** Revokes every token of a user issued up to now. */
  async revokeUser(userId: string): Promise<void> {
    await this.redis.set(this.userKey(userId), String(Math.floor(Date.now() / 1000)), "EX", this.maxTokenTtlSeconds);
  }

  /**
   * The second up to which a user's tokens are revoked, if any. Tokens issued later must carry
   * a greater `iat`, so a login in the same second as a revocation still works.
   */
  async userRevokedAt(userId: string): Promise<number | undefined> {
    const value = await this.redis.get(this.userKey(userId));
    return value === null ? undefined : Number(value);
  }

  /** Whether a verified token has been revoked since it was issued. */
  async isRevoked(principal: Pick<Principal, "jti" | "userId" | "iat">): Promise<boolean> {
    const [jti, revokedBefore] = await this.redis.mget(this.jtiKey(principal.jti), this.userKey(principal.userId));
    return jti !== null || (revokedBefore != null && principal.iat <= Number(revokedBefore));
  }
}
