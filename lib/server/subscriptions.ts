import type { Server } from "node:http";
import type { GraphQLSchema } from "graphql";
import type { Registry } from "prom-client";
import type { TokenVerifier } from "../auth/verifier.js";
import type { Logger } from "../logger.js";
import type { RequestContext } from "./requestContext.js";
import { readSubscriptionLimits, type SubscriptionLimits } from "./subscriptionLimits.js";
import { coerceVariables, parseOperation, subscriptionOperation, validateOperation } from "./wsOperations.js";
import { serveGraphqlWs, type GraphqlWsOptions } from "./wsServer.js";
import { readWebSocketSettings, type WebSocketSettings } from "./wsSettings.js";

export interface SubscriptionServerOptions<TContext> {
  httpServer: Server;
  schema: GraphQLSchema;
  verifier: TokenVerifier;
  /** The service's Redis connection and key prefix, where revocations are announced. */
  revocations: GraphqlWsOptions["revocations"];
  logger: Logger;
  metrics: Registry;
  /** Production mode: "did you mean" suggestions are removed from validation errors. */
  production: boolean;
  /** Adds the subgraph's own members to the base context, as for HTTP requests. */
  context: (base: RequestContext) => TContext;
  /** Default: from `WS_*` and `SUBSCRIPTION_AUTH_RECHECK_MS` (`readWebSocketSettings`). */
  settings?: WebSocketSettings;
  /** Default: from `MAX_*` (`readSubscriptionLimits`). */
  limits?: SubscriptionLimits;
}

/**
 * graphql-ws on the subgraph's own `/graphql` (same port as HTTP), for the gateway's upstream
 * subscriptions and any client that connects directly: authenticated and bounded as the
 * gateway's (`serveGraphqlWs`), subscriptions only, within the operation limits; the
 * authorization directives apply to `subscribe` as to `resolve`.
 */
export function serveSubscriptions<TContext>(options: SubscriptionServerOptions<TContext>) {
  const { schema, logger, production, context } = options;
  const limits = options.limits ?? readSubscriptionLimits();
  return serveGraphqlWs({
    ...options,
    settings: options.settings ?? readWebSocketSettings(),
    onSubscribe(payload, { principal, token, requestId, logger: requestLogger }) {
      const document = parseOperation(payload.query, limits.parseOptions);
      if (Array.isArray(document)) return document;
      const invalid = validateOperation(schema, document, limits.validationRules, production);
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
