import type { GraphQLFormattedError } from "graphql";
import { maskingFormatError } from "../../lib/errors.js";
import type { Logger } from "../../lib/logger.js";
import { limitCodeOf } from "../../lib/server/operationLimits.js";
import { scopedLogger } from "./requestScope.js";

/**
 * The gateway's `formatError`: internal errors masked and logged in full with the request id
 * (`lib/errors.ts`); an operation refused by a limit keeps the limit's code; an error from a
 * subgraph keeps `extensions.serviceName`, masked or not, so a client knows which part failed.
 */
export function formatGatewayError(logger: Logger) {
  const mask = maskingFormatError(scopedLogger(logger));
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = mask(formatted, error);
    const code = limitCodeOf(error);
    const serviceName = formatted.extensions?.serviceName;
    if (!code && serviceName === undefined) return result;
    return { ...result, extensions: { ...result.extensions, ...(code ? { code } : {}), ...(serviceName !== undefined ? { serviceName } : {}) } };
  };
}
