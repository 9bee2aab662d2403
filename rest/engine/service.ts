import type express from "express";
import type { Logger } from "#lib/logger.js";
import { apolloExecutor, type GraphQLTarget } from "./executor.js";
import type { OpenApiInfo } from "./openapi.js";
import type { RestRoute } from "./route.js";
import { restRouter } from "./router.js";

/** A service's REST router, whose operations run on the server it is then mounted in. */
export interface ServiceRest {
  router: express.Router;
  /** Names the server the operations run on; returns it, so that building and binding read as one. */
  bind<T extends GraphQLTarget>(server: T): T;
}

/**
 * The routes must be mounted while the server is built (`createSubgraphServer({ routes })`),
 * but run on that server's Apollo Server: the router is made first and bound once it exists.
 */
export function serviceRest(routes: readonly RestRoute[], logger: Logger, info: OpenApiInfo): ServiceRest {
  let target: GraphQLTarget | undefined;
  const executor = apolloExecutor(() => {
    if (!target) throw new Error("REST router used before its server was bound");
    return target;
  });
  return {
    router: restRouter(routes, { executor, logger, info }),
    bind(server) {
      target = server;
      return server;
    },
  };
}

/** The OpenAPI `info` of one service's legacy REST endpoints. */
export const restInfo = (service: string, description: string): OpenApiInfo => ({
  title: `${service} legacy REST API`,
  version: "1.0.0",
  description: `${description} Every endpoint runs one GraphQL operation; errors have one body: \`{ "error": { "code", "message", "details"? }, "request_id" }\`.`,
});
