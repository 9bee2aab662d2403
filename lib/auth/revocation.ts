import type { Redis } from "ioredis";
import type { Logger } from "../logger.js";
import { CLOCK_SKEW_SECONDS, type Principal } from "./tokens.js";

// Raises a user's generation by at least one, and to at least the current time in milliseconds,
// in one step. The time keeps it growing across the key's expiry: a counter starting again at 1
// would make tokens of an older, higher generation current again.
const RAISE_GENERATION = `
local generation = math.max(tonumber(redis.call('GET', KEYS[1]) or '0') + 1, tonumber(ARGV[1]))
redis.call('SET', KEYS[1], string.format('%d', generation), 'EX', ARGV[2])
return string.format('%d', generation)`;

/** What a revocation notice names: one token (logout), or every token of a user issued so far. */
export type RevocationNotice = { jti: string } | { userId: string };

/** The Redis channel revocations are announced on: `<prefix>revocations`. */
export const revocationChannel = (prefix: string) => `${prefix}revocations`;

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
 *
 * Each revocation is also announced on {@link revocationChannel}, so that the services holding
 * open WebSockets re-verify the connections it concerns at once ({@link watchRevocations}).
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
    await this.announce({ jti });
  }

  /**
   * Revokes every token of a user issued under the current generation or an older one, and
   * returns the new generation. Tokens are dated when their generation was read, so they all
   * expire within `maxTokenTtlSeconds` (plus the clock-skew leeway) of this call.
   */
  async revokeUser(userId: string): Promise<number> {
    const ttl = this.maxTokenTtlSeconds + CLOCK_SKEW_SECONDS;
    const generation = Number(await this.redis.eval(RAISE_GENERATION, 1, this.userKey(userId), String(Date.now()), String(ttl)));
    await this.announce({ userId });
    return generation;
  }

  /** Publishes a revocation once it is stored, for the connections that are already open. */
  private async announce(notice: RevocationNotice): Promise<void> {
    await this.redis.publish(revocationChannel(this.prefix), JSON.stringify(notice));
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

/** What a {@link watchRevocations} listener is told. */
export interface RevocationListener {
  /** A token or a user was revoked: re-verify the connections it concerns. */
  notice(notice: RevocationNotice): void;
  /**
   * The subscription was restored after the Redis connection dropped: notices published
   * meanwhile were lost, so re-verify every connection.
   */
  gap(): void;
}

/**
 * Listens to revocation notices on a Redis connection of its own (duplicated from `redis`: a
 * subscribed connection can do nothing else). `ready` resolves once the first SUBSCRIBE is
 * acknowledged; `close` ends the connection.
 */
export function watchRevocations(redis: Redis, prefix: string, listener: RevocationListener, logger?: Logger) {
  const channel = revocationChannel(prefix);
  // Subscribed again by hand on each connection, so that a gap is reported only once the
  // subscription is live again: a notice can then no longer fall between the two.
  const subscriber = redis.duplicate({ autoResubscribe: false });
  let connections = 0;
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  subscriber.on("error", (err) => logger?.warn({ err }, "revocation notices: redis connection error"));
  subscriber.on("ready", () => {
    const first = connections++ === 0;
    subscriber.subscribe(channel).then(
      () => (first ? onReady() : listener.gap()),
      (err: Error) => logger?.warn({ err }, "revocation notices: subscribing failed"),
    );
  });
  subscriber.on("message", (from: string, message: string) => {
    if (from !== channel) return;
    const notice = parseNotice(message);
    if (notice) listener.notice(notice);
    else logger?.warn({ message: message.slice(0, 200) }, "revocation notices: malformed notice ignored");
  });
  return {
    ready,
    async close(): Promise<void> {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}

function parseNotice(message: string): RevocationNotice | undefined {
  try {
    const value = JSON.parse(message) as Record<string, unknown>;
    if (typeof value?.jti === "string") return { jti: value.jti };
    if (typeof value?.userId === "string") return { userId: value.userId };
  } catch {
    // Not JSON: ignored below.
  }
  return undefined;
}
