import { createHash } from "node:crypto";
import { Prisma } from "../../../generated/prisma/client.js";
import type { PrismaClient } from "#lib/prisma.js";
import { apiError } from "#lib/errors.js";
import type { Logger } from "#lib/logger.js";

/** The first delay after `maxFailures` failures, doubling with each further failure. */
const FIRST_DELAY_MS = 1_000;

/**
 * What failed logins are counted against: an account (its lower-cased email, whether or not it
 * exists, so that the delays reveal nothing), or a device that presented a valid device token of
 * the account, whose failures count against that device only. Wrong passwords of electronic
 * signatures count against the signer (a user id), apart from the account's logins.
 */
export type ThrottleKey = { email: string } | { device: string } | { signer: string };

/** What a key is, for the logs. */
const kindOf = (key: ThrottleKey) => ("email" in key ? "account" : "device" in key ? "device" : "signer");

export interface LoginThrottleOptions {
  /** `LOGIN_MAX_FAILURES`: failures answered without delay, default 5. */
  maxFailures: number;
  /** `LOGIN_MAX_DELAY` in seconds: the longest delay between two attempts, default 900. */
  maxDelaySeconds: number;
  /** `LOGIN_FAILURE_WINDOW` in seconds: failures are forgotten this long after the last one, default 86400. */
  windowSeconds: number;
}

/**
 * The delay after `failures` failures (an SQL expression; at least `free` of them), as an SQL
 * interval: 1 s, then doubling, capped at `cap` seconds.
 */
const delay = (failures: Prisma.Sql, free: number, cap: number) =>
  Prisma.sql`make_interval(secs => LEAST(${cap}::float8, ${FIRST_DELAY_MS / 1000}::float8 * power(2, (${failures}) - ${free}::int)))`;

/**
 * Slows down password guessing the way OWASP's Authentication Cheat Sheet recommends, without
 * letting anyone lock an account's owner out:
 * - only failures count (a correct password is never held up by others signing in at once);
 * - after `maxFailures` failures each further attempt must wait 1 s, 2 s, 4 s … up to
 *   `maxDelaySeconds` after the last failure, and an attempt refused for that costs no password
 *   hash; failures are forgotten `windowSeconds` after the last one, or at a success;
 * - a device that signed in before presents its device token, and its failures count against
 *   that device only: the owner signs in while the account is under attack.
 * Per-IP limits are the gateway's (`RATE_LIMIT_LOGIN`). State is in PostgreSQL
 * (`auth.login_failures`), shared by every instance and kept through a Redis restart or
 * flush: a wave of guesses cannot start again from zero. Only failures and delayed attempts
 * write; a sign-in reads one row.
 */
export class LoginThrottle {
  private readonly args: { maxFailures: number; maxDelaySeconds: number; windowSeconds: number };

  constructor(
    private readonly prisma: PrismaClient,
    options: LoginThrottleOptions,
  ) {
    this.args = { ...options };
  }

  // Hashed: the table is no list of the addresses people tried.
  private key(key: ThrottleKey): string {
    const name = "email" in key ? `account:${key.email.trim().toLowerCase()}` : "device" in key ? `device:${key.device}` : `signer:${key.signer}`;
    return createHash("sha256").update(name).digest("base64url");
  }

  /**
   * Refuses an attempt that comes before the delay its key is under has passed: throws
   * `TOO_MANY_REQUESTS` with `retryAfter` (seconds), and logs it. Call before the password is
   * checked. Past `maxFailures`, an attempt let through claims the slot (the next attempt waits
   * as if this one failed), so that a burst at the end of a delay gets one guess, not one per request.
   */
  async attempt(key: ThrottleKey, logger: Logger): Promise<void> {
    const { maxFailures: free, maxDelaySeconds: cap } = this.args;
    const id = this.key(key);
    const [row] = await this.prisma.$queryRaw<Array<{ wait_ms: number }>>`
      WITH current AS (
        SELECT failures, next_at FROM auth.login_failures WHERE key = ${id} AND expires_at > now() FOR UPDATE
      ), claimed AS (
        UPDATE auth.login_failures f SET next_at = now() + ${delay(Prisma.sql`c.failures + 1`, free, cap)}
        FROM current c WHERE f.key = ${id} AND c.failures >= ${free}::int AND c.next_at <= now()
        RETURNING 1
      )
      SELECT CASE WHEN c.failures IS NULL OR c.failures < ${free}::int OR c.next_at <= now() THEN 0
             ELSE ceil(extract(epoch FROM c.next_at - now()) * 1000)::int END AS wait_ms
      FROM (SELECT 1) one LEFT JOIN current c ON true`;
    const waitMs = Number(row?.wait_ms ?? 0);
    if (waitMs <= 0) return;
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    logger.warn({ retryAfter, by: kindOf(key) }, "refused: sign-in delayed after repeated failed logins");
    throw apiError("TOO_MANY_REQUESTS", `Too many failed logins; try again in ${retryAfter} s`, { retryAfter });
  }

  /** Counts a failed attempt; returns how many the key has had. */
  async failed(key: ThrottleKey): Promise<number> {
    const { maxFailures: free, maxDelaySeconds: cap, windowSeconds } = this.args;
    const id = this.key(key);
    const count = Prisma.sql`CASE WHEN f.expires_at > now() THEN f.failures + 1 ELSE 1 END`;
    const [row] = await this.prisma.$queryRaw<Array<{ failures: number }>>`
      INSERT INTO auth.login_failures AS f (key, failures, next_at, expires_at)
      VALUES (${id}, 1, now() + CASE WHEN 1 >= ${free}::int THEN ${delay(Prisma.sql`1`, free, cap)} ELSE interval '0' END,
              now() + make_interval(secs => ${windowSeconds}::float8))
      ON CONFLICT (key) DO UPDATE SET
        failures = ${count},
        next_at = CASE WHEN ${count} >= ${free}::int
          THEN GREATEST(CASE WHEN f.expires_at > now() THEN f.next_at ELSE now() END, now() + ${delay(count, free, cap)})
          ELSE now() END,
        expires_at = EXCLUDED.expires_at
      RETURNING failures`;
    return Number(row!.failures);
  }

  /** Forgets the failures of a key after a successful sign-in. */
  async succeeded(key: ThrottleKey): Promise<void> {
    await this.prisma.loginFailure.deleteMany({ where: { key: this.key(key) } });
  }

  /** Deletes the failures forgotten by their window; returns how many went. */
  async purgeExpired(): Promise<number> {
    return (await this.prisma.loginFailure.deleteMany({ where: { expiresAt: { lt: new Date() } } })).count;
  }
}
