import type express from "express";
import type { Logger } from "../../lib/logger.js";
import { apolloExecutor, type GraphQLTarget } from "../../lib/rest/executor.js";
import type { RestRoute } from "../../lib/rest/route.js";
import { restRouter } from "../../lib/rest/router.js";
import { restInfo } from "../../lib/rest/service.js";
import { authRoutes } from "../../subgraphs/auth/src/rest.js";
import { batchRoutes } from "../../subgraphs/production/src/rest.js";
import { userRoutes } from "../../subgraphs/user/src/rest.js";

/** Every legacy REST endpoint: the union of the services' tables, each service's on its own port too. */
export const gatewayRoutes: readonly RestRoute[] = [...authRoutes, ...userRoutes, ...batchRoutes];

/**
 * The legacy REST endpoints on the gateway (`:8000/api/...`), run through the gateway's own
 * Apollo Server: same query plans, plugins, token forwarding and request id as `/graphql`.
 */
export function gatewayRest(target: GraphQLTarget, logger: Logger): express.Router {
  return restRouter(gatewayRoutes, {
    executor: apolloExecutor(() => target),
    logger,
    info: restInfo("ERP", "Every legacy endpoint of the auth, user and production services, through the gateway."),
  });
}
