import type { ApolloServerPlugin } from "@apollo/server";
import { logIfInternal } from "../errors.js";
import type { Logger } from "../logger.js";
import type { RequestContext } from "./requestContext.js";

/**
 * Logs every internal error of a request in full, with the request's logger (its request id),
 * before `formatError` masks it for the client (`maskError`). A context that could not be built
 * (Redis away while checking a token) is logged with the service's logger.
 */
export function useErrorLog(logger: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async contextCreationDidFail({ error }) {
      logIfInternal(logger, error);
    },
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) logIfInternal(contextValue.logger ?? logger, error);
        },
      };
    },
  };
}
