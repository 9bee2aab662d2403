import type { ApolloServerOptions } from "@apollo/server";
import type { Redis } from "ioredis";
import { Counter, type Registry } from "prom-client";
import type { TokenVerifier } from "../../lib/auth/verifier.js";
import { subgraphCallSettings, type GatewayConfig } from "../../lib/config.js";
import type { Logger } from "../../lib/logger.js";
import { operationMetricsPlugin, registered } from "../../lib/server/operationMetrics.js";
import { httpCheck, Readiness, redisCheck, type ReadinessCheck } from "../../lib/server/readiness.js";
import { runnableOperationPlugin } from "./clientErrors.js";
import { subgraphUrl } from "./config.js";
import type { GatewayContext } from "./context.js";
import { ForwardingDataSource } from "./dataSource.js";
import { formatGatewayError } from "./errors.js";
import { operationGuards } from "../../lib/server/operationLimits.js";
import { persistedQueries } from "./persistedQueries.js";
import { createRateLimiting } from "./rateLimit.js";
import { refusalStatusPlugin } from "./refusals.js";
import { requestScope, scopedVerifier } from "./requestScope.js";
import { createSubgraphFetcher } from "./subgraphClient.js";

export interface ProtectionOptions {
  config: GatewayConfig;
  redis: Redis;
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Registry;
}

/**
 * Everything that makes the gateway fit for production, in one place for `server.ts` to wire:
 * operation limits, rate limiting, resilient subgraph calls, readiness, persisted queries in
 * Redis, metrics and error codes.
 */
export function createProtection({ config, redis, verifier, logger, metrics }: ProtectionOptions) {
  const { redisPrefix, production } = config;
  const guards = operationGuards(config.limits);
  const rejections = registered(metrics, "rate_limit_rejections_total", () =>
    new Counter({ name: "rate_limit_rejections_total", help: "Requests refused with 429, by limiter", labelNames: ["limiter"], registers: [metrics] }),
  ) as Counter<"limiter">;
  const apq = persistedQueries(redis, redisPrefix, config.apqMaxQueryBytes);
  const rateLimiting = createRateLimiting({ redis, prefix: redisPrefix, limits: config.rateLimits, verifier, logger, rejections });

  const subgraphHealth = new Map<string, ReadinessCheck>();
  // One connection pool and one circuit per subgraph URL, kept across supergraph reloads.
  const fetchers = new Map<string, ReturnType<typeof createSubgraphFetcher>>();
  const buildService = ({ name, url }: { name: string; url?: string }) => {
    const target = subgraphUrl(name, url, config.subgraphUrls);
    const key = `${name} ${target}`;
    if (!fetchers.has(key)) fetchers.set(key, createSubgraphFetcher(name, subgraphCallSettings(config, name), metrics, logger));
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
    // No "Did you mean …" in production: it would reveal the schema without introspection.
    hideSchemaDetailsFromClientErrors: production,
    persistedQueries: apq.options,
    formatError: formatGatewayError(logger),
  } satisfies Partial<ApolloServerOptions<GatewayContext>>;

  return {
    apolloOptions,
    plugins: [...guards.plugins, runnableOperationPlugin, rateLimiting.loginPlugin, apq.registrationPlugin, refusalStatusPlugin, operationMetricsPlugin(metrics)],
    bodyLimit: config.bodyBytes,
    /** Express's `trust proxy`, from `TRUST_PROXY`: which `X-Forwarded-For` hops give the client IP. */
    trustProxy: config.trustProxy,
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
