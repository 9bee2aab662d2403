import { createServer, type Server } from "node:http";
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import { serverSpans } from "../telemetry/serverSpans.js";
import { tracingOn } from "../telemetry/tracing.js";
import express, { type Request, type RequestHandler } from "express";
import type { Registry } from "prom-client";
import type { ServiceConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { drainPlugin } from "./drain.js";
import { jsonErrorHandler, notFound, operationalRoutes } from "./http.js";
import type { Readiness } from "./readiness.js";
import { boundRequestIdsOnUpgrade, requestIdMiddleware } from "./requestId.js";
import type { RequestContext } from "./requestContext.js";
import { securityHeaders } from "./securityHeaders.js";

/** A route or middleware, mounted on every path or on one (`["/api", handler]`). */
export type Mount = RequestHandler | express.Router | [path: string, ...handlers: Array<RequestHandler | express.Router>];

export interface GraphQLServerOptions<TContext extends RequestContext> {
  /** The service's settings: production mode, trusted proxies, metrics token. */
  config: ServiceConfig;
  logger: Logger;
  metrics: Registry;
  /** `GET /ready`: answers 503 from the moment `stop()` starts. */
  readiness: Readiness;
  /** Whether `/metrics` is served (default `true`). */
  serveMetrics?: boolean;
  /** Apollo Server's own options: the schema or gateway, validation rules, `formatError`, … */
  apollo: Omit<ApolloServerOptions<TContext>, "plugins" | "logger"> & ({ schema: unknown } | { gateway: unknown });
  /** Routes and middleware after the operational routes, in order (rate limiting of `/api`, REST, JWKS). */
  routes: Mount[];
  /** What `/graphql` runs before Apollo Server, in order (rate limiting, reading the body, request checks). */
  graphql: RequestHandler[];
  /** Apollo Server plugins, in order, after the drain and the landing page. */
  plugins: ApolloServerPlugin<TContext>[];
  /** The context of `/graphql`, and of the REST operations run in process. */
  context(req: Request): Promise<TContext>;
}

export interface GraphQLServer<TContext extends RequestContext = RequestContext> {
  app: express.Express;
  httpServer: Server;
  apollo: ApolloServer<TContext>;
  /** The context `/graphql` builds for a request, for REST adapters running operations in process. */
  contextFor(req: Request): Promise<TContext>;
  /** Starts Apollo Server; call before listening. */
  start(): Promise<void>;
  /** `/ready` answers 503, in-flight requests finish, the HTTP server closes. */
  stop(): Promise<void>;
}

/**
 * The skeleton every service's port shares, the gateway's and each subgraph's: Express 5 with,
 * in order, a bounded request id (HTTP and WebSocket upgrades), security headers, `/health`,
 * `/metrics` and `/ready`, then the service's `routes`, `/graphql` (the service's `graphql`
 * handlers, then Apollo Server), a JSON 404 and a JSON error handler. Apollo Server drains
 * in-flight requests on stop, shows Apollo Sandbox in development only, and in production
 * refuses introspection and hides schema details ("Did you mean …") from errors.
 */
export function createGraphQLServer<TContext extends RequestContext>(options: GraphQLServerOptions<TContext>): GraphQLServer<TContext> {
  const { config, logger, metrics, readiness, serveMetrics = true } = options;
  const { production } = config;
  const app = express();
  const httpServer = createServer(app);
  boundRequestIdsOnUpgrade(httpServer);
  const apollo = new ApolloServer<TContext>({
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // No "Did you mean …" in production: it would reveal the schema without introspection.
    hideSchemaDetailsFromClientErrors: production,
    ...(options.apollo as ApolloServerOptions<TContext>),
    // Shutdown is ours (`stopOnSignals`): Apollo's own handler would re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      // Finishes every request already accepted (8 s at most, inside `stopOnSignals`' 10 s).
      drainPlugin(httpServer, logger),
      production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      // No HTTP caching is offered (every answer depends on the caller's token), so no service
      // pays for Apollo's cache-control hints, which it would otherwise work out for every field.
      ApolloServerPluginCacheControlDisabled(),
      ...options.plugins,
    ],
    logger,
  });

  let handler: RequestHandler | undefined;
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);
  app.use(requestIdMiddleware());
  app.use(securityHeaders({ production }));
  app.use(operationalRoutes(config.service, metrics, { metricsToken: config.metricsToken, serveMetrics }));
  app.get("/ready", readiness.handler(config.service));
  // After the probes and /metrics: a trace per request that does work, none per scrape.
  if (tracingOn()) app.use(serverSpans(config.service));
  for (const mount of options.routes) {
    if (Array.isArray(mount)) app.use(...mount);
    else app.use(mount);
  }
  app.use("/graphql", ...options.graphql, (req, res, next) => (handler ? handler(req, res, next) : res.status(503).end()));
  app.use(notFound());
  app.use(jsonErrorHandler(logger));

  return {
    app,
    httpServer,
    apollo,
    contextFor: options.context,
    async start() {
      await apollo.start();
      handler = expressMiddleware(apollo, { context: ({ req }) => options.context(req) });
    },
    async stop() {
      readiness.markStopping();
      await apollo.stop();
    },
  };
}
