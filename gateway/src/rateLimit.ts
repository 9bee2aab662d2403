import { randomUUID } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import { HeaderMap } from "@apollo/server";
import type { RequestHandler } from "express";
import { GraphQLError } from "graphql";
import type { Redis } from "ioredis";
import type { Counter } from "prom-client";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { TokenVerifier } from "../../lib/auth/verifier.js";
import { readInt, type Env } from "../../lib/config.js";
import type { Logger } from "../../lib/logger.js";
import { RestError } from "../../rest/engine/errors.js";
import { requestScope } from "./requestScope.js";
import { countRootFields } from "./rootFields.js";

/** Requests allowed per window; counted in Redis, so every gateway instance shares them. */
export interface RateLimits {
  /** `RATE_LIMIT_WINDOW` in seconds, default 60. */
  windowSeconds: number;
  /** `RATE_LIMIT_USER`, default 600 a window (10 a second) per authenticated user. */
  user: number;
  /** `RATE_LIMIT_ANONYMOUS`, default 120 a window per client IP without a valid token. */
  anonymous: number;
  /** `RATE_LIMIT_LOGIN`, default 10 a window per client IP for `login` (GraphQL or REST). */
  login: number;
}

export function readRateLimits(env: Env = process.env): RateLimits {
  return {
    windowSeconds: readInt(env, "RATE_LIMIT_WINDOW", 60, 1, 86_400),
    user: readInt(env, "RATE_LIMIT_USER", 600, 1, 1_000_000),
    anonymous: readInt(env, "RATE_LIMIT_ANONYMOUS", 120, 1, 1_000_000),
    login: readInt(env, "RATE_LIMIT_LOGIN", 10, 1, 1_000_000),
  };
}

type Limiter = "user" | "anonymous" | "login";

/**
 * Rate limiting of `/graphql` and `/api/*`: a middleware counts every request (per user, or
 * per IP when anonymous), and an Apollo plugin counts `login` fields again on a stricter
 * limit, each one, fragments resolved (in the plugin, so a persisted query sent by hash alone
 * is counted too). A refused
 * call is HTTP 429 with `Retry-After` and `RateLimit-*` headers and `TOO_MANY_REQUESTS`.
 * When Redis fails, each instance falls back to counting in memory rather than refusing all.
 */
export function createRateLimiting(options: {
  redis: Redis;
  prefix: string;
  limits: RateLimits;
  verifier: TokenVerifier;
  logger: Logger;
  rejections: Counter<"limiter">;
}) {
  const { redis, prefix, limits, verifier, logger, rejections } = options;
  const limiter = (name: Limiter, points: number) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}rate:${name}`,
      points,
      duration: limits.windowSeconds,
      insuranceLimiter: new RateLimiterMemory({ points, duration: limits.windowSeconds }),
    });
  const limiters = { user: limiter("user", limits.user), anonymous: limiter("anonymous", limits.anonymous), login: limiter("login", limits.login) };
  const points = { user: limits.user, anonymous: limits.anonymous, login: limits.login };

  /** Consumes `cost` points (one by default); the headers to send, and whether the call is refused. */
  async function consume(
    name: Limiter,
    key: string,
    cost = 1,
  ): Promise<{ headers: Array<[string, string]>; refused: boolean; retryAfter: number }> {
    let state: RateLimiterRes;
    let refused = false;
    try {
      state = await limiters[name].consume(key, cost);
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
      ["ratelimit-policy", `${points[name]};w=${limits.windowSeconds}`],
      ["ratelimit-limit", String(points[name])],
      ["ratelimit-remaining", String(Math.max(0, state.remainingPoints))],
      ["ratelimit-reset", String(reset)],
    ];
    if (refused) headers.push(["retry-after", String(reset)]);
    return { headers, refused, retryAfter: reset };
  }

  const tooMany = "Too many requests, retry later";

  const middleware: RequestHandler = async (req, res, next) => {
    const ip = req.ip ?? req.socket.remoteAddress ?? "unknown";
    const verified = verifier.authenticate(req.headers.authorization);
    // An invalid token is counted as anonymous here; the context refuses it with 401 later.
    const principal = await verified.catch(() => null);
    const [name, key] = principal ? (["user", principal.userId] as const) : (["anonymous", ip] as const);
    // `login`, over GraphQL or REST, is counted again by the plugin below, once it is parsed.
    const { headers, refused, retryAfter } = await consume(name, key);
    for (const [header, value] of headers) res.setHeader(header, value);
    if (refused) {
      const requestId = req.header("x-request-id") || randomUUID();
      // The legacy endpoints answer with their own error body; GraphQL clients get GraphQL's.
      if (req.baseUrl === "/api") res.status(429).json(new RestError("TOO_MANY_REQUESTS", tooMany, { retryAfter }).body(requestId));
      else res.status(429).json({ errors: [{ message: tooMany, extensions: { code: "TOO_MANY_REQUESTS", retryAfter } }] });
      return;
    }
    requestScope.run({ ip, verified: { header: req.headers.authorization, result: verified } }, next);
  };

  const loginPlugin: ApolloServerPlugin = {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, response }) {
          const ip = requestScope.getStore()?.ip;
          if (!ip || operation?.operation !== "mutation") return;
          // Every login field counts, aliased or inside fragments: one operation with two is two attempts.
          const logins = countRootFields(document, operation, (field) => field.name.value === "login");
          if (logins === 0) return;
          // Beyond the whole allowance the answer is the same; the cap keeps the count a small integer.
          const { headers, refused, retryAfter } = await consume("login", ip, Math.min(logins, limits.login + 1));
          if (refused) {
            throw new GraphQLError(tooMany, {
              extensions: { code: "TOO_MANY_REQUESTS", retryAfter, http: { status: 429, headers: new HeaderMap(headers) } },
            });
          }
          // The stricter limit is the one the client needs to know about.
          for (const [header, value] of headers) response.http.headers.set(header, value);
        },
      };
    },
  };

  return { middleware, loginPlugin };
}
