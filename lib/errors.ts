import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { DEPENDENCY_NAMES, unavailableDependency } from "./dependencyErrors.js";
import { httpStatusOf, isClientCode, REST_STATUS, type ErrorCode } from "./errorCodes.js";
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

/** The answer to a request that needed a backing service that is away: `SERVICE_UNAVAILABLE` naming it, in `extensions.dependency`. */
export function dependencyUnavailable(error: unknown): GraphQLError | undefined {
  const dependency = unavailableDependency(unwrapResolverError(error));
  if (!dependency) return undefined;
  return apiError("SERVICE_UNAVAILABLE", `${DEPENDENCY_NAMES[dependency]} is unavailable; try again shortly`, { dependency });
}

/**
 * Apollo Server's `formatError`: errors with a client code pass through (without a stack); an
 * unreachable backing service is `SERVICE_UNAVAILABLE` naming it ({@link dependencyUnavailable});
 * anything else (a bug) reaches the client as `INTERNAL_SERVER_ERROR` without its message or
 * stack. Logging it is `useErrorLog`'s, which knows the request.
 */
export function maskError(formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError {
  if (isClientCode(formatted.extensions?.code)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  const unavailable = error === undefined ? undefined : dependencyUnavailable(error);
  if (unavailable) return { message: unavailable.message, locations: formatted.locations, path: formatted.path, extensions: unavailable.extensions };
  return { message: "Internal server error", locations: formatted.locations, path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
}

/** Logs `error` in full (its original error, with the stack) when it is an internal one, which clients see masked. */
export function logIfInternal(logger: Logger, error: unknown): void {
  const graphql = error as Partial<GraphQLError> | undefined;
  if (isClientCode(graphql?.extensions?.code)) return;
  logger.error({ err: unwrapResolverError(error), path: graphql?.path }, "internal error");
}

/** {@link maskError} that logs what it masks with `logger`: for graphql-ws, whose errors have no request plugins. */
export function maskingFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (!isClientCode(formatted.extensions?.code)) logger.error({ err: unwrapResolverError(error), path: formatted.path }, "internal error");
    return maskError(formatted, error);
  };
}

/**
 * The one error body of every REST endpoint:
 * `{ "error": { "code", "message", "details"? }, "request_id" }`.
 */
export interface RestErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
  request_id: string;
}

/** An error a REST endpoint answers with; `code` picks the status from `REST_STATUS` (`errorCodes.ts`; unlike `/graphql`, invalid values are 422, the legacy contract). */
export class RestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  get status(): number {
    return REST_STATUS[this.code] ?? 500;
  }

  body(requestId: string): RestErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
      request_id: requestId,
    };
  }
}
