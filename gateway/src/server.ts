import type { Server } from "node:http";
import { ApolloGateway } from "@apollo/gateway";
import type express from "express";
import type { Redis } from "ioredis";
import type { Registry } from "prom-client";
import type { TokenVerifier } from "#lib/auth/verifier.js";
import type { GatewayConfig } from "#lib/config.js";
import type { Logger } from "#lib/logger.js";
import { useErrorLog } from "#lib/server/errorLog.js";
import { createGraphQLServer, type GraphQLServer } from "#lib/server/graphqlServer.js";
import { readJsonBody } from "#lib/server/jsonBody.js";
import { operationGuards } from "#lib/server/operationLimits.js";
import { useOperationMetrics } from "#lib/server/operationMetrics.js";
import { createRateLimiter, useRateLimit } from "#lib/server/rateLimit.js";
import { Readiness, redisCheck, revocationsCheck } from "#lib/server/readiness.js";
import { useRequestLog } from "#lib/server/requestLog.js";
import { checkPersistedQuery, useRunnableOperation } from "./clientErrors.js";
import { gatewayContext, type GatewayContext } from "./context.js";
import { formatGatewayError } from "./errors.js";
import { useLoginRateLimit } from "./loginRateLimit.js";
import { persistedQueryCache, usePersistedQueryRegistration } from "./persistedQueries.js";
import { useRefusalStatus } from "./refusals.js";
import { gatewayRest } from "./rest.js";
import { ServiceTokens } from "./serviceTokens.js";
import { subgraphServices } from "./subgraphServices.js";
import { watchedSupergraph } from "./supergraphManager.js";
import { attachGatewaySubscriptions } from "./subscriptions/server.js";

export interface GatewayOptions {
  /** The gateway's configuration (`readServiceConfig("gateway")`). */
  config: GatewayConfig;
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Registry;
  /** Shared by every instance: rate-limit counters and persisted queries. */
  redis: Redis;
}

export interface GatewayServer {
  app: express.Express;
  httpServer: Server;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The gateway (port 8000): `@apollo/gateway` executing query plans over the composed
 * supergraph, on the skeleton every port shares (`createGraphQLServer`: request id, security
 * headers, `/health`, `/metrics`, `/ready`, 404, drain, Sandbox in development only). Every
 * token is verified here (and again in the subgraphs). What guards it is listed below, in the
 * order a request meets it: remove one by deleting its line.
 */
export function createGatewayServer({ config, verifier, logger, metrics, redis }: GatewayOptions): GatewayServer {
  const { production, rateLimits } = config;
  const subgraphs = subgraphServices(config, metrics, logger);
  const gateway = new ApolloGateway({ supergraphSdl: watchedSupergraph(config.supergraphPath, logger), buildService: subgraphs.buildService, logger });
  const rateLimiter = createRateLimiter({ redis, prefix: config.redisPrefix, windowSeconds: rateLimits.windowSeconds, limits: rateLimits, logger, metrics });
  const rateLimit = useRateLimit(rateLimiter, verifier);
  const limits = operationGuards(config.limits);
  // The gateway's port is public: in production its metrics are served only behind a token.
  const serveMetrics = !production || config.metricsToken !== undefined;
  // Redis only backs rate limits (kept in memory meanwhile), persisted queries and revocation notices (polled meanwhile).
  const readiness = new Readiness(
    { required: { subgraphs: subgraphs.ready, revocations: revocationsCheck(verifier.revocations) }, optional: { redis: redisCheck(redis) } },
    metrics,
  );

  const server: GraphQLServer<GatewayContext> = createGraphQLServer<GatewayContext>({
    config,
    logger,
    metrics,
    serveMetrics,
    readiness,
    apollo: {
      gateway,
      validationRules: limits.validationRules,
      parseOptions: limits.parseOptions,
      allowBatchedHttpRequests: false,
      csrfPrevention: true,
      persistedQueries: persistedQueryCache(redis, config.redisPrefix),
      formatError: formatGatewayError(),
    },
    routes: [
      ["/api", rateLimit],
      // The legacy REST endpoints, run through this Apollo Server: same plugins, context and plans as /graphql.
      gatewayRest(
        {
          get apollo(): GraphQLServer["apollo"] {
            return server.apollo as never;
          },
          contextFor: (req) => server.contextFor(req),
        },
        logger,
      ),
    ],
    graphql: [rateLimit, readJsonBody(config.bodyBytes), checkPersistedQuery],
    plugins: [
      useErrorLog(logger),
      ...limits.plugins,
      useRunnableOperation(),
      useLoginRateLimit(rateLimiter),
      usePersistedQueryRegistration(config.apqMaxQueryBytes),
      useRefusalStatus(),
      useOperationMetrics(metrics),
      useRequestLog(),
    ],
    context: (req) => gatewayContext(req, verifier, logger),
  });

  // graphql-ws on the same port and path (`ws://…/graphql`); see gateway/src/subscriptions.
  const subscriptions = attachGatewaySubscriptions({
    httpServer: server.httpServer,
    verifier,
    redis,
    redisPrefix: config.redisPrefix,
    logger,
    metrics,
    subgraphUrls: config.subgraphUrls,
    settings: config.websockets,
    limits: { ...limits, hideSuggestions: production },
    // Events are completed through the same hardened data sources as queries.
    buildService: subgraphs.buildService,
    serviceTokens: new ServiceTokens({ authUrl: config.authUrl, secret: config.serviceSecret, logger }),
    subscriptionBuffer: config.subscriptionBuffer,
  });
  // The supergraph the gateway loads at start, and each one it reloads, plans subscriptions too.
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => subscriptions.updateSupergraph(coreSupergraphSdl));

  return {
    app: server.app,
    httpServer: server.httpServer,
    async start() {
      if (!serveMetrics)
        logger.warn("/metrics is not served: in production it needs METRICS_TOKEN; set it and scrape with Authorization: Bearer <METRICS_TOKEN>");
      await server.start();
    },
    async stop() {
      readiness.markStopping();
      await subscriptions.close();
      await server.stop();
      await subgraphs.close();
    },
  };
}
