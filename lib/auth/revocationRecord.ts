import type { Redis } from "ioredis";
import type { Logger } from "../logger.js";
import type { PrismaClient } from "../prisma.js";
import { announceRevocation, type RevocationNotice } from "./revocation.js";
import { revocationKey, type RevocationSnapshot } from "./revocationList.js";
import type { Revocations } from "./revocationSync.js";
import { CLOCK_SKEW_SECONDS } from "./tokens.js";

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * The durable record of revocations, in the auth schema (`auth.revoked_tokens`,
 * `auth.user_revocations`): written by the auth subgraph only, which owns that schema. Each
 * write is stored first, then added to this process's list and announced on Redis to every
 * other service (see {@link Revocations}); a lost announcement is caught up by the next read
 * of the list, so Redis failing never undoes a revocation.
 *
 * A user-wide revocation raises the user's generation: every token carries the generation it
 * was issued under (claim `gen`, read before the account was checked), and tokens of an older
 * one are refused. Unlike a revocation time, this cannot be outrun by a sign-in that read the
 * account before the change and signed after it. The generation is at least PostgreSQL's
 * clock in milliseconds, so it keeps growing after a row was pruned.
 */
export class RevocationRecord {
  /**
   * @param maxTokenTtlSeconds longest access-token lifetime (`ACCESS_TOKEN_TTL`): how long a user-wide revocation must be kept
   */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly revocations: Revocations,
    private readonly maxTokenTtlSeconds: number,
    private readonly logger: Logger,
  ) {}

  /** Revokes one token until it expires. */
  async revokeToken(jti: string, exp: number): Promise<void> {
    const expiresAt = new Date((exp + CLOCK_SKEW_SECONDS) * 1000);
    await this.prisma.$executeRaw`
      INSERT INTO auth.revoked_tokens (jti, expires_at) VALUES (${jti}, ${expiresAt})
      ON CONFLICT (jti) DO NOTHING`;
    await this.publish({ jti, exp: seconds(expiresAt) });
  }

  /**
   * Revokes every token of a user issued under the current generation or an older one, and
   * returns the new generation. Tokens are dated when their generation was read, so they all
   * expire within `maxTokenTtlSeconds` (plus the clock-skew leeway) of this call.
   */
  async revokeUser(userId: string): Promise<number> {
    const keepSeconds = this.maxTokenTtlSeconds + CLOCK_SKEW_SECONDS;
    const [row] = await this.prisma.$queryRaw<Array<{ generation: bigint; expires_at: Date }>>`
      INSERT INTO auth.user_revocations (user_id, generation, expires_at)
      VALUES (${userId}::uuid, (extract(epoch FROM clock_timestamp()) * 1000)::bigint, clock_timestamp() + make_interval(secs => ${keepSeconds}))
      ON CONFLICT (user_id) DO UPDATE
        SET generation = GREATEST(auth.user_revocations.generation + 1, EXCLUDED.generation), expires_at = EXCLUDED.expires_at
      RETURNING generation, expires_at`;
    const generation = Number(row!.generation);
    await this.publish({ userId, generation, expiresAt: seconds(row!.expires_at) });
    return generation;
  }

  /** The user's current generation, 0 when none is recorded: what a new token is issued under. */
  async generation(userId: string): Promise<number> {
    const [row] = await this.prisma.$queryRaw<Array<{ generation: bigint }>>`
      SELECT generation FROM auth.user_revocations WHERE user_id = ${userId}::uuid AND expires_at > now()`;
    return Number(row?.generation ?? 0);
  }

  /** Every live revocation, keys hashed ({@link revocationKey}). */
  async snapshot(): Promise<RevocationSnapshot> {
    const [tokens, users] = await Promise.all([
      this.prisma.revokedToken.findMany({ where: { expiresAt: { gt: new Date() } }, select: { jti: true, expiresAt: true } }),
      this.prisma.userRevocation.findMany({ where: { expiresAt: { gt: new Date() } } }),
    ]);
    return {
      tokens: tokens.map(({ jti, expiresAt }) => [revocationKey(jti), seconds(expiresAt)]),
      users: users.map(({ userId, generation, expiresAt }) => [revocationKey(userId), Number(generation), seconds(expiresAt)]),
    };
  }

  /** Deletes the revocations that can no longer matter; returns how many went. */
  async purgeExpired(): Promise<number> {
    const now = new Date();
    const [tokens, users] = await Promise.all([
      this.prisma.revokedToken.deleteMany({ where: { expiresAt: { lt: now } } }),
      this.prisma.userRevocation.deleteMany({ where: { expiresAt: { lt: now } } }),
    ]);
    return tokens.count + users.count;
  }

  /** Adds a stored revocation to this process's list at once, then tells the others. */
  private async publish(notice: RevocationNotice): Promise<void> {
    this.revocations.apply(notice);
    try {
      await announceRevocation(this.redis, this.prefix, notice);
    } catch (err) {
      // Stored, so not lost: the other services read it with the list, every second while Redis is away.
      this.logger.warn({ err }, "announcing a revocation failed; the other services read it with the next list");
    }
  }
}
