import type { ApolloServerPlugin } from "@apollo/server";
import type { RequestContext } from "./requestContext.js";

/**
 * One log line per GraphQL operation, under the request's logger (so with its `requestId`):
 * name, type, outcome and duration. At `debug`, so that production logs stay lean unless the
 * level is lowered to follow calls through the services.
 */
export function useRequestLog(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      let failed = false;
      return {
        async didEncounterErrors() {
          failed = true;
        },
        async willSendResponse({ operationName, operation }) {
          contextValue.logger?.debug(
            { operationName, operationType: operation?.operation, outcome: failed ? "error" : "ok", ms: Math.round(performance.now() - started) },
            "graphql operation",
          );
        },
      };
    },
  };
}
