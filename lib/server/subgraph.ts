import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import { buildSubgraphSchema } from "@apollo/subgraph";
import express from "express";
import type { DocumentNode, GraphQLSchema } from "graphql";
import type { Redis } from "ioredis";
import type { Registry } from "prom-client";
import type { SubgraphConfig } from "../config.js";
import { enforceAuthorization } from "../auth/directives.js";
import type { TokenVerifier } from "../auth/verifier.js";
import { maskingFormatError } from "../errors.js";
import type { Logger } from "../logger.js";
import { drainPlugin } from "./drain.js";
import { federationGuardPlugin } from "./federationGuard.js";
import { jsonErrorHandler, notFound, operationalRoutes } from "./http.js";
import { operationMetricsPlugin } from "./operationMetrics.js";
import { boundRequestIdsOnUpgrade, requestIdMiddleware } from "./requestId.js";
import { requestLogPlugin } from "./requestLog.js";
import { readRequestContext, type RequestContext } from "./requestContext.js";
import { securityHeaders } from "./securityHeaders.js";
import { subgraphRateLimiting } from "./subgraphRateLimit.js";

export type { RequestContext };

export interface SubgraphServerOptions<TContext extends RequestContext> {
  name: string;
  typeDefs: DocumentNode;
  /** The subgraph's resolvers, typed by codegen. */
  resolvers: object;
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Registry;
  /** Adds the subgraph's own per-request members (loaders, clients) to the base context. */
  context: (base: RequestContext) => TContext | Promise<TContext>;
  /** Routes of this subgraph besides `/graphql` (JWKS, REST), mounted first. */
  routes?: express.Router;
  /** The subgraph's configuration: what guards its port (rate limits, trusted proxies, bounds, metrics token), production mode. */
  config: SubgraphConfig;
  /** Where the rate-limit counters live. */
  redis: Redis;
}

export interface SubgraphServer {
  app: express.Express;
  httpServer: Server;
  apollo: ApolloServer<RequestContext>;
  /** The executable schema, authorization enforced (for graphql-ws on the same port). */
  schema: GraphQLSchema;
  /** The context `/graphql` builds for these request headers, for REST adapters running operations in process. */
  contextFor(headers: IncomingHttpHeaders): Promise<RequestContext>;
  /** Starts Apollo Server; call before listening. */
  start(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish, closes the HTTP server. */
  stop(): Promise<void>;
}

/**
 * An Apollo subgraph on Express 5: `/graphql` with the federation schema, authorization
 * directives enforced, the caller verified from the bearer token (an invalid token is a 401,
 * never an anonymous call), internal errors masked, plus `/health` and `/metrics`. Its port is
 * guarded as the gateway's is: a bounded request id, security headers, rate limits per user or
 * client IP, a body limit, `_service`/`_entities` for signed-in callers only and in bounded
 * numbers, `/metrics` behind `METRICS_TOKEN`, JSON 404s.
 */
export function createSubgraphServer<TContext extends RequestContext>(
  options: SubgraphServerOptions<TContext>,
): SubgraphServer {
  const { name, logger, config } = options;
  const { production } = config;
  const rateLimiting = subgraphRateLimiting({ config, redis: options.redis, verifier: options.verifier, logger, metrics: options.metrics });
  // The context reuses the token verification the rate limiter did for the same request.
  const verifier = rateLimiting.verifier;
  const app = express();
  const httpServer = createServer(app);
  boundRequestIdsOnUpgrade(httpServer);
  const schema = enforceAuthorization(
    buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers as never }),
  );
  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError: maskingFormatError(logger),
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // No "Did you mean …" in production: it would reveal the schema without introspection.
    hideSchemaDetailsFromClientErrors: production,
    // Shutdown is ours (`stopOnSignals`): Apollo's own handler would re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      // Finishes every request already accepted (8 s at most, inside `stopOnSignals`' 10 s).
      drainPlugin(httpServer, logger),
      operationMetricsPlugin(options.metrics),
      requestLogPlugin(),
      federationGuardPlugin(config.maxRepresentations),
      ApolloServerPluginInlineTraceDisabled(),
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
    logger,
  });

  const contextFor = async (headers: IncomingHttpHeaders) => options.context(await readRequestContext(headers, verifier, logger));

  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);
  app.use(requestIdMiddleware());
  app.use(securityHeaders({ production }));
  app.use(operationalRoutes(name, options.metrics, { metricsToken: config.metricsToken }));
  app.use("/api", rateLimiting.middleware);
  if (options.routes) app.use(options.routes);
  let handler: express.RequestHandler | undefined;
  const graphql = express.Router();
  // Counted before the body is read: a refused flood costs no parsing.
  graphql.use(rateLimiting.middleware);
  graphql.use(express.json({ limit: config.bodyBytes }));
  graphql.use((req, res, next) => (handler ? handler(req, res, next) : res.status(503).end()));
  app.use("/graphql", graphql);

  return {
    app,
    httpServer,
    apollo,
    schema,
    contextFor,
    async start() {
      await apollo.start();
      handler = expressMiddleware(apollo, { context: ({ req }) => contextFor(req.headers) });
      // Last, after every route, including those added once the server was built (`/ready`).
      app.use(notFound());
      app.use(jsonErrorHandler(logger));
    },
    stop: () => apollo.stop(),
  };
}
