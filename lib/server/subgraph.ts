import type { IncomingHttpHeaders, Server } from "node:http";
import type { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type express from "express";
import type { DocumentNode, GraphQLSchema } from "graphql";
import { enforceAuthorization } from "../auth/directives.js";
import type { TokenVerifier } from "../auth/verifier.js";
import type { SubgraphConfig } from "../config.js";
import { maskError } from "../errors.js";
import { useErrorLog } from "./errorLog.js";
import { federationGuardPlugin } from "./federationGuard.js";
import { createGraphQLServer, type GraphQLServer } from "./graphqlServer.js";
import { readJsonBody } from "./jsonBody.js";
import { useOperationMetrics } from "./operationMetrics.js";
import { createRateLimiter, useRateLimit } from "./rateLimit.js";
import { postgresCheck, Readiness, redisCheck, revocationsCheck, type ReadinessCheck } from "./readiness.js";
import { readRequestContext, type RequestContext } from "./requestContext.js";
import { useRequestLog } from "./requestLog.js";
import type { Runtime } from "./runtime.js";

export type { RequestContext };

export interface SubgraphServerOptions<TContext extends RequestContext> {
  typeDefs: DocumentNode;
  /** The subgraph's resolvers, typed by codegen. */
  resolvers: object;
  verifier: TokenVerifier;
  /** Adds the subgraph's own per-request members (loaders, clients) to the base context. */
  context: (base: RequestContext) => TContext | Promise<TContext>;
  /** Routes of this subgraph besides `/graphql` (JWKS, REST), mounted first. */
  routes?: express.Router;
  /** More dependencies `/ready` reports without failing for them (production: RabbitMQ). */
  optionalDependencies?: Record<string, ReadinessCheck>;
}

export interface SubgraphServer extends Omit<GraphQLServer, "apollo" | "contextFor"> {
  apollo: ApolloServer<RequestContext>;
  /** The executable schema, authorization enforced (for graphql-ws on the same port). */
  schema: GraphQLSchema;
  httpServer: Server;
  /** The context `/graphql` builds for a request, for REST adapters running operations in process. */
  contextFor(req: express.Request): Promise<RequestContext>;
}

/** Headers of a request, for what only needs them. */
export type { IncomingHttpHeaders };

/**
 * An Apollo subgraph on the shared skeleton (`createGraphQLServer`): `/graphql` with the
 * federation schema, authorization directives enforced, the caller verified from the bearer
 * token (an invalid token is a 401, never an anonymous call), internal errors masked. Its port
 * is guarded as the gateway's is: rate limits per user or client IP (`SUBGRAPH_RATE_LIMIT_*`,
 * counted under the subgraph's own keys so that a call through the gateway does not spend the
 * gateway's quota twice), the body limit, `_service`/`_entities` for signed-in callers only and
 * in bounded numbers. `/ready` needs PostgreSQL and the revocation list; Redis (rate limits
 * fall back to memory, notices to polling) and `optionalDependencies` are reported, degraded.
 */
export function createSubgraphServer<TContext extends RequestContext>(
  runtime: Runtime<SubgraphConfig>,
  options: SubgraphServerOptions<TContext>,
): SubgraphServer {
  const { config, logger, metrics, redis } = runtime;
  const { verifier } = options;
  const schema = enforceAuthorization(buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers as never }));
  const { windowSeconds, user, anonymous } = config.rateLimits;
  // No login limit of its own here: logins are anonymous calls, and auth bounds its password hashing itself.
  const rateLimiter = createRateLimiter({
    redis,
    prefix: `${config.redisPrefix}${config.service}:`,
    windowSeconds,
    limits: { user, anonymous },
    logger,
    metrics,
  });
  const rateLimit = useRateLimit(rateLimiter, verifier, { exemptServices: true });
  const readiness = new Readiness(
    {
      required: { postgresql: postgresCheck(runtime.prisma), revocations: revocationsCheck(runtime.revocations) },
      optional: { redis: redisCheck(redis), ...options.optionalDependencies },
    },
    metrics,
  );

  const server = createGraphQLServer<RequestContext>({
    config,
    logger,
    metrics,
    readiness,
    apollo: { schema, formatError: maskError },
    routes: [["/api", rateLimit], ...(options.routes ? [options.routes] : [])],
    graphql: [rateLimit, readJsonBody(config.bodyBytes)],
    plugins: [
      useErrorLog(logger),
      useOperationMetrics(metrics),
      useRequestLog(),
      federationGuardPlugin(config.maxRepresentations),
      ApolloServerPluginInlineTraceDisabled(),
    ],
    context: async (req) => options.context(await readRequestContext(req, verifier, logger)),
  });
  return { ...server, schema };
}
