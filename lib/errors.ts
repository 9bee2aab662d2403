import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { httpStatusOf, isClientCode, type ErrorCode } from "./errorCodes.js";
import type { Logger } from "./logger.js";

export { ERROR_CODES, httpStatusOf, isCallerCode, isClientCode, isLimitCode, isRetryLaterCode, REST_STATUS, type ErrorCode } from "./errorCodes.js";

/** A client-facing error: its message is shown as is, its code is in `extensions.code`. */
export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/**
 * The same error with `extensions.http.status`, for errors raised before execution (in the
 * context function) where the HTTP status is what a client sees first.
 */
export function httpError(code: ErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: httpStatusOf(code) ?? 500 } } });
}

/**
 * Apollo Server's `formatError`: errors with a client code pass through; anything else
 * (a bug, a database failure) is logged in full and reaches the client as
 * `INTERNAL_SERVER_ERROR` without its message or stack.
 */
export function maskingFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (isClientCode(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error({ err: unwrapResolverError(error), path: formatted.path }, "internal error");
    return {
      message: "Internal server error",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    };
  };
}
