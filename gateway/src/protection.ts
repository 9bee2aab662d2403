import type { ApolloServerOptions } from "@apollo/server";
import type { Redis } from "ioredis";
import { Counter, type Registry } from "prom-client";
import type { TokenVerifier } from "../../lib/auth/verifier.js";
import { read, type Env } from "../../lib/config.js";
import type { Logger } from "../../lib/logger.js";
import { operationMetricsPlugin, registered } from "../../lib/server/operationMetrics.js";
import { httpCheck, Readiness, redisCheck, type ReadinessCheck } from "../../lib/server/readiness.js";
import { runnableOperationPlugin } from "./clientErrors.js";
import { subgraphUrl } from "./config.js";
import type { GatewayContext } from "./context.js";
import { ForwardingDataSource } from "./dataSource.js";
import { formatGatewayError } from "./errors.js";
import { operationLimits, readOperationLimits } from "./limits.js";
import { persistedQueries, readPersistedQueryMaxBytes } from "./persistedQueries.js";
import { createRateLimiting, readRateLimits } from "./rateLimit.js";
import { refusalStatusPlugin } from "./refusals.js";
import { requestScope, scopedVerifier } from "./requestScope.js";
import { createSubgraphFetcher, readSubgraphCallSettings } from "./subgraphClient.js";

export interface ProtectionOptions {
  redis: Redis;
  /** `REDIS_PREFIX`: rate-limit counters and persisted queries live under it. */
  redisPrefix: string;
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Registry;
  production: boolean;
  env: Env;
}

/**
 * Everything that makes the gateway fit for production, in one place for `server.ts` to wire:
 * operation limits, rate limiting, resilient subgraph calls, readiness, persisted queries in
 * Redis, metrics and error codes.
 */
export function createProtection({ redis, redisPrefix, verifier, logger, metrics, production, env }: ProtectionOptions) {
  const limits = readOperationLimits(env);
  const guards = operationLimits(limits, production);
  const rejections = registered(metrics, "rate_limit_rejections_total", () =>
    new Counter({ name: "rate_limit_rejections_total", help: "Requests refused with 429, by limiter", labelNames: ["limiter"], registers: [metrics] }),
  ) as Counter<"limiter">;
  const apq = persistedQueries(redis, redisPrefix, readPersistedQueryMaxBytes(env));
  const rateLimiting = createRateLimiting({ redis, prefix: redisPrefix, limits: readRateLimits(env), verifier, logger, rejections });

  const subgraphHealth = new Map<string, ReadinessCheck>();
  // One connection pool and one circuit per subgraph URL, kept across supergraph reloads.
  const fetchers = new Map<string, ReturnType<typeof createSubgraphFetcher>>();
  const buildService = ({ name, url }: { name: string; url?: string }) => {
    const target = subgraphUrl(name, url, env);
    const key = `${name} ${target}`;
    if (!fetchers.has(key)) fetchers.set(key, createSubgraphFetcher(name, readSubgraphCallSettings(name, env), metrics, logger));
    subgraphHealth.set(name, httpCheck(new URL("/health", target).toString()));
    return new ForwardingDataSource({ url: target, fetcher: fetchers.get(key)!.fetcher, subgraph: name });
  };
  const readiness = new Readiness({
    redis: redisCheck(redis),
    subgraphs: () => Promise.all([...subgraphHealth].map(([name, check]) => check().catch((err: Error) => Promise.reject(new Error(`${name}: ${err.message}`))))),
  });

  /** Apollo Server settings: limits, no batching, CSRF prevention, APQ in Redis (bounded), masked errors with codes. */
  const apolloOptions = {
    validationRules: guards.validationRules,
    parseOptions: guards.parseOptions,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    persistedQueries: apq.options,
    formatError: formatGatewayError(logger),
  } satisfies Partial<ApolloServerOptions<GatewayContext>>;

  return {
    apolloOptions,
    plugins: [...guards.plugins, runnableOperationPlugin, rateLimiting.loginPlugin, apq.registrationPlugin, refusalStatusPlugin, operationMetricsPlugin(metrics)],
    bodyLimit: limits.bodyBytes,
    /** Express's `trust proxy`, from `TRUST_PROXY`: which `X-Forwarded-For` hops give the client IP. */
    trustProxy: readTrustProxy(env),
    rateLimit: rateLimiting.middleware,
    buildService,
    readiness,
    /** The token verifier for the GraphQL context: reuses the rate limiter's verification. */
    verifier: scopedVerifier(verifier),
    /** Call with each request's context: errors formatted later are logged with its request id. */
    inScope(context: GatewayContext): GatewayContext {
      const scope = requestScope.getStore();
      if (scope) scope.logger = context.logger;
      return context;
    },
    close: async () => {
      await Promise.allSettled([...fetchers.values()].map(({ close }) => close()));
    },
  };
}

/**
 * `TRUST_PROXY`: unset (default) uses the socket's address as the client IP, right when clients
 * connect directly. Behind load balancers, the number of proxy hops (`1`) or their addresses
 * (`10.0.0.0/8, 127.0.0.1`), as Express takes them; otherwise every client shares the
 * balancer's IP for the anonymous and login rate limits.
 */
function readTrustProxy(env: Env): number | string | false {
  const value = read(env, "TRUST_PROXY", "");
  if (value === "") return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}
