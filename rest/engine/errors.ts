import type { GraphQLFormattedError } from "graphql";

/**
 * HTTP status of each error code on the REST endpoints. Unlike `/graphql`, invalid values are
 * 422 (the legacy contract) and 400 is kept for a request that cannot be read at all.
 */
export const REST_STATUS: Record<string, number> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  BAD_USER_INPUT: 422,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

/**
 * The one error body of every REST endpoint:
 * `{ "error": { "code", "message", "details"? }, "request_id" }`.
 */
export interface RestErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
  request_id: string;
}

/** An error a REST endpoint answers with; `code` picks the status from {@link REST_STATUS}. */
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

/** Extensions that say how the error travelled, not what went wrong: kept out of `details`. */
const TRANSPORT_EXTENSIONS = new Set(["code", "http", "stacktrace", "serviceName"]);

/**
 * The REST error for the errors of a GraphQL response: the first error decides (the graph
 * stops at the first failing mutation). Its other extensions (`field`, `allowed`,
 * `currentVersion`, `retryAfter`, …) become `details`. A code the REST contract does not know
 * is an internal error: its message was already masked by the graph.
 */
export function restErrorFromGraphQL(errors: readonly GraphQLFormattedError[]): RestError {
  const [first] = errors;
  const code = typeof first?.extensions?.code === "string" ? first.extensions.code : "INTERNAL_SERVER_ERROR";
  if (!(code in REST_STATUS) || code === "INTERNAL_SERVER_ERROR") return internalError();
  const details = Object.fromEntries(Object.entries(first!.extensions ?? {}).filter(([key]) => !TRANSPORT_EXTENSIONS.has(key)));
  return new RestError(code, first!.message, Object.keys(details).length > 0 ? details : undefined);
}

/** What a client sees of a bug or an outage nobody classified: no message, no stack. */
export const internalError = () => new RestError("INTERNAL_SERVER_ERROR", "Internal server error");

/** 404 for a GraphQL `null` meaning "no such thing". */
export function found<T>(value: T | null | undefined, what: string, id: unknown): T {
  if (value == null) throw new RestError("NOT_FOUND", `No ${what} with id ${String(id)}`);
  return value;
}
