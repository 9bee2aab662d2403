import type { Server } from "node:http";
import type { GraphQLSchema } from "graphql";
import type { Registry } from "prom-client";
import type { TokenVerifier } from "../auth/verifier.js";
import type { Logger } from "../logger.js";
import type { RequestContext } from "./requestContext.js";
import type { OperationLimits, WebSocketSettings } from "../config.js";
import { operationGuards } from "./operationLimits.js";
import { coerceVariables, parseOperation, subscriptionOperation, validateOperation } from "./wsOperations.js";
import { serveGraphqlWs } from "./wsServer.js";
import { tracedSubscribe } from "../telemetry/subscriptionSpans.js";
import { tracingOn } from "../telemetry/tracing.js";

export interface SubscriptionServerOptions<TContext> {
  httpServer: Server;
  schema: GraphQLSchema;
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Registry;
  /** Production mode: "did you mean" suggestions are removed from validation errors. */
  production: boolean;
  /** Adds the subgraph's own members to the base context, as for HTTP requests. */
  context: (base: RequestContext) => TContext;
  /** `WS_*`, `SUBSCRIPTION_AUTH_RECHECK_MS`. */
  settings: WebSocketSettings;
  /** `MAX_*`, the same limits as the gateway's (a subscription has one root field). */
  limits: OperationLimits;
}

/**
 * graphql-ws on the subgraph's own `/graphql` (same port as HTTP), for the gateway's upstream
 * subscriptions and any client that connects directly: authenticated and bounded as the
 * gateway's (`serveGraphqlWs`), subscriptions only, within the operation limits; the
 * authorization directives apply to `subscribe` as to `resolve`.
 */
export function serveSubscriptions<TContext>(options: SubscriptionServerOptions<TContext>) {
  const { schema, production, context } = options;
  const limits = operationGuards(options.limits);
  return serveGraphqlWs({
    ...options,
    // Each event delivered in a span of the trace that caused it (when traced), passed on to the gateway.
    subscribe: tracingOn() ? tracedSubscribe : undefined,
    async onSubscribe(payload, { principal, token, requestId, logger: requestLogger }) {
      const document = parseOperation(payload.query, limits.parseOptions);
      if (Array.isArray(document)) return document;
      const invalid = await validateOperation(schema, document, limits.validationRules, production);
      if (invalid.length > 0) return invalid;
      const operation = subscriptionOperation(document, payload.operationName);
      if (Array.isArray(operation)) return operation;
      const wrongVariables = coerceVariables(schema, operation, payload.variables);
      if (wrongVariables) return wrongVariables;
      return {
        schema,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue: context({ requestId, auth: principal, authorization: `Bearer ${token}`, logger: requestLogger }),
      };
    },
  });
}
