import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { apiError } from "../../../lib/errors.js";
import type { Logger } from "../../../lib/logger.js";

/** The first delay after `maxFailures` failures, doubling with each further failure. */
const FIRST_DELAY_MS = 1_000;

/**
 * What failed logins are counted against: an account (its lower-cased email, whether or not it
 * exists, so that the delays reveal nothing), or a device that presented a valid device token of
 * the account, whose failures count against that device only.
 */
export type ThrottleKey = { email: string } | { device: string };

export interface LoginThrottleOptions {
  /** `LOGIN_MAX_FAILURES`: failures answered without delay, default 5. */
  maxFailures: number;
  /** `LOGIN_MAX_DELAY` in seconds: the longest delay between two attempts, default 900. */
  maxDelaySeconds: number;
  /** `LOGIN_FAILURE_WINDOW` in seconds: failures are forgotten this long after the last one, default 86400. */
  windowSeconds: number;
}

// The delay after `failures` failures (at least `free` of them): 1 s, then doubling, capped.
const DELAY = `
local function delay(failures, free, first, cap)
  return math.min(cap, first * 2 ^ (failures - free))
end`;

// Whether an attempt may go on now: yes under `free` failures; past them, once the delay since
// the last failure is over, and then it claims the slot (the next attempt waits as if this one
// failed), so that a burst at the end of a delay gets one guess, not one per request.
// Returns 0 to go on, or the milliseconds to wait.
const ATTEMPT = `${DELAY}
local now, free, first, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
if failures < free then return 0 end
local next_at = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
if now < next_at then return next_at - now end
redis.call('HSET', KEYS[1], 'next', string.format('%d', now + delay(failures + 1, free, first, cap)))
return 0`;

// Counts a failure and, past `free` of them, sets when the next attempt may come.
const FAILED = `${DELAY}
local now, free, first, cap, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if failures >= free then
  local next_at = math.max(tonumber(redis.call('HGET', KEYS[1], 'next') or '0'), now + delay(failures, free, first, cap))
  redis.call('HSET', KEYS[1], 'next', string.format('%d', next_at))
end
redis.call('PEXPIRE', KEYS[1], window)
return failures`;

/**
 * Slows down password guessing the way OWASP's Authentication Cheat Sheet recommends, without
 * letting anyone lock an account's owner out:
 * - only failures count (a correct password is never held up by others signing in at once);
 * - after `maxFailures` failures each further attempt must wait 1 s, 2 s, 4 s … up to
 *   `maxDelaySeconds` after the last failure, and an attempt refused for that costs no password
 *   hash; failures are forgotten `windowSeconds` after the last one, or at a success;
 * - a device that signed in before presents its device token, and its failures count against
 *   that device only: the owner signs in while the account is under attack.
 * Per-IP limits are the gateway's (`RATE_LIMIT_LOGIN`). State is in Redis, shared by every
 * instance.
 */
export class LoginThrottle {
  private readonly args: { maxFailures: number; maxDelayMs: number; windowMs: number };

  /**
   * @param redis shared connection
   * @param prefix `REDIS_PREFIX` of the deployment
   */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    { maxFailures, maxDelaySeconds, windowSeconds }: LoginThrottleOptions,
  ) {
    this.args = { maxFailures, maxDelayMs: maxDelaySeconds * 1000, windowMs: windowSeconds * 1000 };
  }

  // Hashed: the keys of Redis are no list of the addresses people tried.
  private key(key: ThrottleKey): string {
    const name = "email" in key ? `account:${key.email.trim().toLowerCase()}` : `device:${key.device}`;
    return `${this.prefix}login-fail:${createHash("sha256").update(name).digest("base64url")}`;
  }

  /**
   * Refuses an attempt that comes before the delay its key is under has passed: throws
   * `TOO_MANY_REQUESTS` with `retryAfter` (seconds), and logs it. Call before the password is
   * checked.
   */
  async attempt(key: ThrottleKey, logger: Logger): Promise<void> {
    const { maxFailures, maxDelayMs } = this.args;
    const waitMs = Number(await this.redis.eval(ATTEMPT, 1, this.key(key), Date.now(), maxFailures, FIRST_DELAY_MS, maxDelayMs));
    if (waitMs <= 0) return;
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    logger.warn({ retryAfter, by: "email" in key ? "account" : "device" }, "refused: sign-in delayed after repeated failed logins");
    throw apiError("TOO_MANY_REQUESTS", `Too many failed logins; try again in ${retryAfter} s`, { retryAfter });
  }

  /** Counts a failed attempt; returns how many the key has had. */
  async failed(key: ThrottleKey): Promise<number> {
    const { maxFailures, maxDelayMs, windowMs } = this.args;
    return Number(await this.redis.eval(FAILED, 1, this.key(key), Date.now(), maxFailures, FIRST_DELAY_MS, maxDelayMs, windowMs));
  }

  /** Forgets the failures of a key after a successful sign-in. */
  async succeeded(key: ThrottleKey): Promise<void> {
    await this.redis.del(this.key(key));
  }
}
