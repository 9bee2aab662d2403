import type express from "express";
import type { Logger } from "#lib/logger.js";
import { apolloExecutor, type GraphQLTarget } from "../../rest/engine/executor.js";
import { restRouter } from "../../rest/engine/router.js";
import { restInfo } from "../../rest/engine/service.js";
import { legacyRoutes } from "../../rest/routes/index.js";

/**
 * The legacy REST endpoints on the gateway (`:8000/api/...`), run through the gateway's own
 * Apollo Server: same query plans, plugins, token forwarding and request id as `/graphql`.
 */
export function gatewayRest(target: GraphQLTarget, logger: Logger): express.Router {
  return restRouter(legacyRoutes, {
    executor: apolloExecutor(() => target),
    logger,
    info: restInfo("ERP", "Every legacy endpoint of the auth, user and production services, through the gateway."),
  });
}
