import { createServer, type Server } from "node:http";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { Registry } from "prom-client";
import type { TokenVerifier } from "../../lib/auth/verifier.js";
import type { Env } from "../../lib/config.js";
import { maskingFormatError } from "../../lib/errors.js";
import type { Logger } from "../../lib/logger.js";
import { BODY_LIMIT, jsonErrorHandler, operationalRoutes } from "../../lib/server/http.js";
import { readRequestContext } from "../../lib/server/requestContext.js";
import { subgraphUrl, supergraphPath } from "./config.js";
import type { GatewayContext } from "./context.js";
import { ForwardingDataSource } from "./dataSource.js";
import { readSupergraphSdl } from "./supergraph.js";

export interface GatewayOptions {
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Registry;
  /** No landing page, no introspection. */
  production: boolean;
  /** Where subgraph URLs and the supergraph path are read, default `process.env`. */
  env?: Env;
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
export function createGatewayServer({ verifier, logger, metrics, production, env = process.env }: GatewayOptions): GatewayServer {
  const app = express();
  const httpServer = createServer(app);
  const gateway = new ApolloGateway({
    supergraphSdl: readSupergraphSdl(supergraphPath(env)),
    buildService: ({ name, url }) => new ForwardingDataSource({ url: subgraphUrl(name, url, env) }),
    logger,
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: maskingFormatError(logger),
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // Shutdown is ours (`stopOnSignals`): Apollo's own handler would re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
    ],
    logger,
  });

  let handler: express.RequestHandler | undefined;
  app.disable("x-powered-by");
  app.use(operationalRoutes("gateway", metrics));
  app.use(
    "/graphql",
    express.json({ limit: BODY_LIMIT }),
    (req, res, next) => (handler ? handler(req, res, next) : res.status(503).end()),
  );
  app.use(jsonErrorHandler(logger));

  return {
    app,
    httpServer,
    async start() {
      await apollo.start();
      handler = expressMiddleware(apollo, {
        context: ({ req }) => readRequestContext(req.headers, verifier, logger),
      });
    },
    stop: () => apollo.stop(),
  };
}
