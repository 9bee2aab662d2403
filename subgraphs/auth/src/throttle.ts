import type { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { apiError } from "../../../lib/errors.js";
import type { Logger } from "../../../lib/logger.js";

/**
 * Counts failed logins per account (the lower-cased email, whether or not it exists, so the
 * lock reveals nothing) in Redis, shared by every instance. After `maxFailures` within the
 * window (counted from the first failure) the account is locked until the window ends; a
 * successful login clears the count.
 */
export class LoginThrottle {
  private readonly failures: RateLimiterRedis;

  /**
   * @param redis shared connection
   * @param prefix `REDIS_PREFIX` of the deployment
   * @param maxFailures `LOGIN_MAX_FAILURES`, default 5
   * @param windowSeconds `LOGIN_FAILURE_WINDOW`, default 900
   */
  constructor(redis: Redis, prefix: string, private readonly maxFailures: number, windowSeconds: number) {
    this.failures = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}login-fail`,
      points: maxFailures,
      duration: windowSeconds,
    });
  }

  private key = (email: string) => email.trim().toLowerCase();

  /**
   * Counts an attempt before the password is checked, so a burst of parallel guesses cannot
   * slip past the lock; throws `TOO_MANY_REQUESTS` with `retryAfter` (seconds), and logs it,
   * once the account has used up its attempts. Only {@link succeeded} takes the count back.
   */
  async attempt(email: string, logger: Logger): Promise<void> {
    // `penalty` counts without rejecting (unlike `consume`), and never extends the window.
    const state = await this.failures.penalty(this.key(email));
    if (state.consumedPoints <= this.maxFailures) return;
    const retryAfter = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    logger.warn({ retryAfter }, "refused: account locked after repeated failed logins");
    throw apiError("TOO_MANY_REQUESTS", `Too many failed logins for this account; try again in ${retryAfter} s`, { retryAfter });
  }

  /** Forgets the failures after a successful login. */
  async succeeded(email: string): Promise<void> {
    await this.failures.delete(this.key(email));
  }
}
