import type { RequestHandler } from "express";
import type { Redis } from "ioredis";
import { Counter, type Registry } from "prom-client";
// The gateway's rate limiter, reused as is: one implementation of the counting (Redis, with
// an in-memory fallback) and of the 429 answer (`Retry-After`, `RateLimit-*`, the GraphQL and
// the REST error bodies) for every port.
import { createRateLimiting } from "../../gateway/src/rateLimit.js";
import { scopedVerifier } from "../../gateway/src/requestScope.js";
import type { TokenVerifier } from "../auth/verifier.js";
import type { SubgraphConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { registered } from "./operationMetrics.js";

/**
 * Rate limiting of one subgraph's `/graphql` and `/api/*`: per signed-in user, or per client IP
 * (`X-Forwarded-For` from `TRUST_PROXY` addresses) for anonymous calls, counted under the
 * subgraph's own keys so that a call through the gateway does not spend the gateway's quota
 * twice. `verifier` is for the context: it reuses the token verification the limiter did.
 */
export function subgraphRateLimiting(options: {
  config: SubgraphConfig;
  redis: Redis;
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Registry;
}): { middleware: RequestHandler; verifier: TokenVerifier } {
  const { config, redis, verifier, logger, metrics } = options;
  const rejections = registered(metrics, "rate_limit_rejections_total", () =>
    new Counter({ name: "rate_limit_rejections_total", help: "Requests refused with 429, by limiter", labelNames: ["limiter"], registers: [metrics] }),
  ) as Counter<"limiter">;
  const { windowSeconds, user, anonymous } = config.rateLimits;
  const limiting = createRateLimiting({
    redis,
    prefix: `${config.redisPrefix}${config.service}:`,
    // No login limit of its own here: logins are anonymous calls, and the auth service bounds
    // its password hashing itself.
    limits: { windowSeconds, user, anonymous, login: anonymous },
    verifier,
    logger,
    rejections,
  });
  return { middleware: limiting.middleware, verifier: scopedVerifier(verifier) };
}
