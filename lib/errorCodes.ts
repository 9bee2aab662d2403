/**
 * Every error code a client can meet in `extensions.code` (or in a REST error body), with what
 * it means, its HTTP status on `/graphql` and its status on the legacy REST endpoints. Whatever
 * sorts codes (masking, the REST mapping, the gateway's refusals, a subgraph passing another's
 * errors on) reads this table.
 */

/**
 * - `caller`: the caller's own doing (its token, its rights, its input, its pace): meant for it,
 *   passed on as it is when one service calls another on its behalf;
 * - `request`: a request that cannot be run as sent;
 * - `limit`: an operation over one of the operation limits;
 * - `availability`: a service is away or busy, for a while;
 * - `internal`: a bug or an outage nobody classified: masked, logged in full.
 */
export type ErrorKind = "caller" | "request" | "limit" | "availability" | "internal";

export interface ErrorCodeInfo {
  kind: ErrorKind;
  /** What the code means, for a client. */
  meaning: string;
  /** The HTTP status of `/graphql` when the error decides the answer; unset where Apollo Server chooses. */
  http?: number;
  /** The status on the REST endpoints; unset: not part of the REST contract (an internal error there). */
  rest?: number;
  /** A deliberate refusal that says when to come back (`Retry-After`): not a failure of the service. */
  retryLater?: boolean;
}

const limit = (what: string): ErrorCodeInfo => ({ kind: "limit", meaning: `the operation has more ${what} than the limit`, http: 400 });

export const ERROR_CODES = {
  UNAUTHENTICATED: { kind: "caller", meaning: "no, invalid, expired or revoked token", http: 401, rest: 401 },
  FORBIDDEN: { kind: "caller", meaning: "a scope the caller lacks, named in the message", http: 403, rest: 403 },
  BAD_USER_INPUT: { kind: "caller", meaning: "an invalid value, named in `extensions.field`", http: 400, rest: 422 },
  NOT_FOUND: { kind: "caller", meaning: "no such thing (or no such route)", http: 404, rest: 404 },
  CONFLICT: { kind: "caller", meaning: "a duplicate, or a stale `version`", http: 409, rest: 409 },
  TOO_MANY_REQUESTS: {
    kind: "caller",
    meaning: "a rate limit, or sign-ins delayed after failures; `retryAfter` says when",
    http: 429,
    rest: 429,
    retryLater: true,
  },
  BAD_REQUEST: { kind: "request", meaning: "a body or parameters that cannot be read, a subscription over HTTP", http: 400, rest: 400 },
  PAYLOAD_TOO_LARGE: { kind: "request", meaning: "a body over `MAX_BODY_BYTES`", http: 413, rest: 413 },
  GRAPHQL_PARSE_FAILED: { kind: "request", meaning: "a query that is not GraphQL", http: 400 },
  GRAPHQL_VALIDATION_FAILED: { kind: "request", meaning: "a query the schema does not allow", http: 400 },
  OPERATION_RESOLUTION_FAILURE: { kind: "request", meaning: "several operations and no `operationName`, or an unknown one", http: 400 },
  PERSISTED_QUERY_NOT_FOUND: { kind: "request", meaning: "an automatic persisted query not registered (yet): send the query with its hash" },
  PERSISTED_QUERY_NOT_SUPPORTED: { kind: "request", meaning: "persisted queries are off" },
  PERSISTED_QUERY_HASH_MISMATCH: { kind: "request", meaning: "`persistedQuery.sha256Hash` is not the query's", http: 400 },
  MAX_DEPTH_LIMIT: limit("depth"),
  MAX_ALIASES_LIMIT: limit("aliases"),
  MAX_ROOT_FIELDS_LIMIT: limit("root fields"),
  MAX_DIRECTIVES_LIMIT: limit("directives"),
  MAX_TOKENS_LIMIT: limit("tokens"),
  MAX_COST_LIMIT: limit("cost"),
  SERVICE_UNAVAILABLE: { kind: "availability", meaning: "a service is down or busy; `serviceName` names a subgraph", http: 503, rest: 503, retryLater: true },
  INTERNAL_SERVER_ERROR: { kind: "internal", meaning: "details only in the server log, under the request id", http: 500, rest: 500 },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

const info = (code: unknown): ErrorCodeInfo | undefined =>
  typeof code === "string" && Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode] : undefined;

/** The HTTP status of `code` on `/graphql`, if it has one. */
export const httpStatusOf = (code: unknown): number | undefined => info(code)?.http;

/** Codes whose messages were written for clients: every one but `INTERNAL_SERVER_ERROR` (and unknown ones). */
export const isClientCode = (code: unknown): code is ErrorCode => (info(code)?.kind ?? "internal") !== "internal";

/** The caller's own doing: passed on as it is by a service calling another on the caller's behalf. */
export const isCallerCode = (code: unknown): code is ErrorCode => info(code)?.kind === "caller";

/** An operation limit's code (`MAX_DEPTH_LIMIT`, …). */
export const isLimitCode = (code: unknown): code is ErrorCode => info(code)?.kind === "limit";

/** A deliberate refusal with a time to come back (`SERVICE_UNAVAILABLE`, `TOO_MANY_REQUESTS`). */
export const isRetryLaterCode = (code: unknown): code is ErrorCode => info(code)?.retryLater === true;

/** Each code's status on the legacy REST endpoints: 422 for invalid values, 400 for a request that cannot be read. */
export const REST_STATUS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(ERROR_CODES).flatMap(([code, { rest }]: [string, ErrorCodeInfo]) => (rest === undefined ? [] : [[code, rest]])),
);
