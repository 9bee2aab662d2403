import type { Redis } from "ioredis";
import { CLOCK_SKEW_SECONDS, type Principal } from "./tokens.js";

// Raises a user's generation by at least one, and to at least the current time in milliseconds,
// in one step. The time keeps it growing across the key's expiry: a counter starting again at 1
// would make tokens of an older, higher generation current again.
const RAISE_GENERATION = `
local generation = math.max(tonumber(redis.call('GET', KEYS[1]) or '0') + 1, tonumber(ARGV[1]))
redis.call('SET', KEYS[1], string.format('%d', generation), 'EX', ARGV[2])
return string.format('%d', generation)`;

/**
 * Revoked access tokens, in Redis so that every gateway and subgraph instance sees a logout at
 * once. Two kinds of entries, each expiring when it can no longer matter:
 * - `revoked:jti:<jti>`: one token (logout), kept until the token's own `exp`;
 * - `revoked:user:<id>`: the user's revocation generation. Every token carries the generation
 *   it was issued under (claim `gen`, read before the account was checked); a user-wide
 *   revocation (deactivation, role or password change) raises it, and tokens of an older
 *   generation are refused. Unlike a revocation time, this cannot be outrun by a sign-in that
 *   read the account before the change and signed after it. Kept for the longest token
 *   lifetime: by then every token of an older generation has expired.
 */
export class Revocations {
  /**
   * @param redis shared connection
   * @param prefix key prefix of this deployment (tests use one per run)
   * @param maxTokenTtlSeconds longest access-token lifetime (`ACCESS_TOKEN_TTL`), how long a generation must live
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

  /**
   * Revokes every token of a user issued under the current generation or an older one, and
   * returns the new generation. Tokens are dated when their generation was read, so they all
   * expire within `maxTokenTtlSeconds` (plus the clock-skew leeway) of this call.
   */
  async revokeUser(userId: string): Promise<number> {
    const ttl = this.maxTokenTtlSeconds + CLOCK_SKEW_SECONDS;
    return Number(await this.redis.eval(RAISE_GENERATION, 1, this.userKey(userId), String(Date.now()), String(ttl)));
  }

  /** The user's current revocation generation, 0 when none is recorded: what a new token is issued under. */
  async generation(userId: string): Promise<number> {
    return Number((await this.redis.get(this.userKey(userId))) ?? 0);
  }

  /** Whether a verified token has been revoked since it was issued. */
  async isRevoked(principal: Pick<Principal, "jti" | "userId" | "generation">): Promise<boolean> {
    const [jti, generation] = await this.redis.mget(this.jtiKey(principal.jti), this.userKey(principal.userId));
    return jti !== null || principal.generation < Number(generation ?? 0);
  }
}
