import type { RequestHandler } from "express";
import type { Redis } from "ioredis";
import { Counter, type Registry } from "prom-client";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { TokenVerifier } from "../auth/verifier.js";
import type { Logger } from "../logger.js";
import { RestError } from "../errors.js";
import { registered } from "./operationMetrics.js";
import { authenticate } from "./requestContext.js";
import { requestIdOf } from "./requestId.js";

/** What one count answers: the headers to send, and whether the call is refused (then after how many seconds to retry). */
export interface Consumed {
  headers: Array<[string, string]>;
  refused: boolean;
  retryAfter: number;
}

/** Calls counted per key in a window, under named limits (`user`, `anonymous`, `login`). */
export interface RateLimiter<TName extends string = string> {
  /** Counts `cost` calls (one by default) of `key` against the limit `name`. */
  consume(name: TName, key: string, cost?: number): Promise<Consumed>;
  /** How many calls the limit `name` allows a window. */
  points(name: TName): number;
}

export const TOO_MANY_REQUESTS = "Too many requests, retry later";

/**
 * Counters in Redis under `<prefix>rate:<name>`, so every instance shares them; when Redis
 * fails, each instance falls back to counting in memory rather than refusing all. A refused
 * count answers `Retry-After` and `RateLimit-*` headers and adds to `rate_limit_rejections_total`.
 */
export function createRateLimiter<TName extends string>(options: {
  redis: Redis;
  prefix: string;
  windowSeconds: number;
  /** Calls allowed a window, by limit. */
  limits: Record<TName, number>;
  logger: Logger;
  metrics: Registry;
}): RateLimiter<TName> {
  const { redis, prefix, windowSeconds, limits, logger, metrics } = options;
  const rejections = registered(
    metrics,
    "rate_limit_rejections_total",
    () => new Counter({ name: "rate_limit_rejections_total", help: "Requests refused with 429, by limiter", labelNames: ["limiter"], registers: [metrics] }),
  ) as Counter<"limiter">;
  const limiters = new Map<TName, RateLimiterRedis>();
  for (const [name, points] of Object.entries(limits) as Array<[TName, number]>) {
    limiters.set(
      name,
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}rate:${name}`,
        points,
        duration: windowSeconds,
        // While Redis is away, counted at once in this process's memory rather than after ioredis' retries.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration: windowSeconds }),
      }),
    );
  }

  return {
    points: (name) => limits[name],
    async consume(name, key, cost = 1) {
      let state: RateLimiterRes;
      let refused = false;
      try {
        state = await limiters.get(name)!.consume(key, cost);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) {
          logger.warn({ err, limiter: name }, "rate limiting unavailable, call let through");
          return { headers: [], refused: false, retryAfter: 0 };
        }
        state = err;
        refused = true;
        rejections.inc({ limiter: name });
      }
      const reset = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
      const headers: Array<[string, string]> = [
        ["ratelimit-policy", `${limits[name]};w=${windowSeconds}`],
        ["ratelimit-limit", String(limits[name])],
        ["ratelimit-remaining", String(Math.max(0, state.remainingPoints))],
        ["ratelimit-reset", String(reset)],
      ];
      if (refused) headers.push(["retry-after", String(reset)]);
      return { headers, refused, retryAfter: reset };
    },
  };
}

/**
 * Counts every request against `user` (the verified caller) or `anonymous` (the client IP, as
 * `trust proxy` lets Express see it), before its body is read: a refused flood costs no parsing.
 * The token's verification is the request's own (`authenticate`): the context reuses it. A
 * refused call is HTTP 429 with `TOO_MANY_REQUESTS`, in the REST error body under `/api`.
 * With `exemptServices` (the subgraphs), a service token's calls are not counted: the gateway's
 * enrichment of shared subscriptions calls once per event per group, for every user at once.
 */
export function useRateLimit(limiter: RateLimiter<"user" | "anonymous">, verifier: TokenVerifier, { exemptServices = false } = {}): RequestHandler {
  return async (req, res, next) => {
    // An invalid token is counted as anonymous here; the context refuses it with 401 later.
    const principal = await authenticate(req, verifier).catch(() => null);
    if (exemptServices && principal?.service) return next();
    const ip = req.ip ?? req.socket.remoteAddress ?? "unknown";
    const { headers, refused, retryAfter } = await (principal ? limiter.consume("user", principal.userId) : limiter.consume("anonymous", ip));
    for (const [header, value] of headers) res.setHeader(header, value);
    if (!refused) return next();
    // The legacy endpoints answer with their own error body; GraphQL clients get GraphQL's.
    if (req.baseUrl === "/api") res.status(429).json(new RestError("TOO_MANY_REQUESTS", TOO_MANY_REQUESTS, { retryAfter }).body(requestIdOf(req)));
    else res.status(429).json({ errors: [{ message: TOO_MANY_REQUESTS, extensions: { code: "TOO_MANY_REQUESTS", retryAfter } }] });
  };
}
