import type { GraphQLFormattedError } from "graphql";
import { maskError } from "#lib/errors.js";
import { limitCodeOf } from "#lib/server/operationLimits.js";

/**
 * The gateway's `formatError`: internal errors masked (`maskError`; `useErrorLog` logs them in
 * full with the request id); an operation refused by a limit keeps the limit's code; an error
 * from a subgraph keeps `extensions.serviceName`, masked or not, so a client knows which part failed.
 */
export function formatGatewayError(mask: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError = maskError) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = mask(formatted, error);
    const code = limitCodeOf(error);
    const serviceName = formatted.extensions?.serviceName;
    if (!code && serviceName === undefined) return result;
    return { ...result, extensions: { ...result.extensions, ...(code ? { code } : {}), ...(serviceName !== undefined ? { serviceName } : {}) } };
  };
}
