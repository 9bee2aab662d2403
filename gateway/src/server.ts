import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { Redis } from "ioredis";
import type { Registry } from "prom-client";
import type { TokenVerifier } from "../../lib/auth/verifier.js";
import type { GatewayConfig } from "../../lib/config.js";
import type { Logger } from "../../lib/logger.js";
import { drainPlugin } from "../../lib/server/drain.js";
import { jsonErrorHandler, notFound, operationalRoutes } from "../../lib/server/http.js";
import { boundRequestIdsOnUpgrade, requestIdMiddleware } from "../../lib/server/requestId.js";
import { requestLogPlugin } from "../../lib/server/requestLog.js";
import { readRequestContext } from "../../lib/server/requestContext.js";
import { securityHeaders } from "../../lib/server/securityHeaders.js";
import { checkPersistedQuery, readJsonBody } from "./clientErrors.js";
import type { GatewayContext } from "./context.js";
import { createProtection } from "./protection.js";
import { gatewayRest } from "./rest.js";
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
 * supergraph, behind Apollo Server on Express 5. Every token is verified here (and again in
 * the subgraphs); Apollo Sandbox is the landing page in development only.
 */
export function createGatewayServer(options: GatewayOptions): GatewayServer {
  const { config, verifier, logger, metrics } = options;
  const { production, metricsToken } = config;
  const app = express();
  const httpServer = createServer(app);
  boundRequestIdsOnUpgrade(httpServer);
  const protection = createProtection(options);
  // The gateway's port is public: in production its metrics are served only behind a token.
  const serveMetrics = !production || metricsToken !== undefined;
  const gateway = new ApolloGateway({
    supergraphSdl: watchedSupergraph(config.supergraphPath, logger),
    buildService: protection.buildService,
    logger,
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    ...protection.apolloOptions,
    // Shutdown is ours (`stopOnSignals`): Apollo's own handler would re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      // Finishes every request already accepted (8 s at most, inside `stopOnSignals`' 10 s).
      drainPlugin(httpServer, logger),
      production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      ...protection.plugins,
      requestLogPlugin(),
    ],
    logger,
  });

  // graphql-ws on the same port and path (`ws://…/graphql`); see gateway/src/subscriptions.
  const subscriptions = attachGatewaySubscriptions({
    httpServer,
    verifier,
    redis: options.redis,
    redisPrefix: config.redisPrefix,
    logger,
    metrics,
    subgraphUrls: config.subgraphUrls,
    settings: config.websockets,
    limits: { ...protection.apolloOptions, hideSuggestions: production },
  });
  // The supergraph the gateway loads at start, and each one it reloads, plans subscriptions too.
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => subscriptions.updateSupergraph(coreSupergraphSdl));
  // One context for `/graphql` and the REST routes: the token the rate limiter verified is reused.
  const contextFor = async (headers: IncomingHttpHeaders) =>
    protection.inScope(await readRequestContext(headers, protection.verifier, logger));
  let handler: express.RequestHandler | undefined;
  app.disable("x-powered-by");
  app.set("trust proxy", protection.trustProxy);
  app.use(requestIdMiddleware());
  app.use(securityHeaders({ production }));
  app.use(operationalRoutes("gateway", metrics, { metricsToken, serveMetrics }));
  app.get("/ready", protection.readiness.handler("gateway"));
  app.use("/api", protection.rateLimit);
  app.use(gatewayRest({ apollo, contextFor }, logger));
  app.use(
    "/graphql",
    readJsonBody(protection.bodyLimit),
    protection.rateLimit,
    checkPersistedQuery,
    (req, res, next) => (handler ? handler(req, res, next) : res.status(503).end()),
  );
  app.use(notFound());
  app.use(jsonErrorHandler(logger));

  return {
    app,
    httpServer,
    async start() {
      if (!serveMetrics) logger.warn("/metrics is not served: in production it needs METRICS_TOKEN; set it and scrape with Authorization: Bearer <METRICS_TOKEN>");
      await apollo.start();
      handler = expressMiddleware(apollo, {
        context: ({ req }) => contextFor(req.headers),
      });
    },
    async stop() {
      protection.readiness.markStopping();
      await subscriptions.close();
      await apollo.stop();
      await protection.close();
    },
  };
}
