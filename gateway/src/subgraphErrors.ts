import { GraphQLError } from "graphql";

/** The connection never carried the request (refused, reset before an answer, unreachable). */
const CONNECTION_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

export function isConnectionError(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code && CONNECTION_ERRORS.has(e.code)) return true;
  }
  return false;
}

/** A subgraph's GraphQL response with errors, as it came in an HTTP error answer. */
export interface SubgraphErrorBody {
  data?: Record<string, unknown> | null;
  errors: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** `body` if it is a GraphQL response with at least one well-formed error. */
export function subgraphErrorBody(body: unknown): SubgraphErrorBody | undefined {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return errors.every((e) => typeof e?.message === "string") ? (body as SubgraphErrorBody) : undefined;
}

/**
 * A subgraph answered with an HTTP error status and a GraphQL response: its errors are its
 * answer, to pass on to the client with that status (and `Retry-After`), not a failure. A
 * deliberate refusal (503 or 429 whose every error is `SERVICE_UNAVAILABLE` or
 * `TOO_MANY_REQUESTS`, such as auth's "Sign-in is busy") is not retried and does not count
 * against the circuit (cockatiel lets errors its policies do not handle through untouched; in
 * the half-open state it proves the subgraph is up); nor does a 4xx (a client's mistake the
 * subgraph caught, such as a malformed `DateTime`).
 */
export class SubgraphRefusal extends GraphQLError {
  override name = "SubgraphRefusal";
  constructor(
    readonly subgraph: string,
    /** The subgraph's HTTP status. */
    readonly status: number,
    /** Seconds, from the `Retry-After` header or the first error's `extensions.retryAfter`. */
    readonly retryAfter: number | undefined,
    /** The subgraph's GraphQL response. */
    readonly body: SubgraphErrorBody,
  ) {
    super(`subgraph ${subgraph} answered HTTP ${status} with GraphQL errors`);
  }
}

export type FailureReason = "circuit_open" | "timeout" | "connection" | "http_5xx" | "other";

/** A subgraph call that failed before any GraphQL answer: the gateway reports it as SERVICE_UNAVAILABLE. */
export class SubgraphUnavailableError extends Error {
  override name = "SubgraphUnavailableError";
  constructor(
    readonly subgraph: string,
    readonly reason: FailureReason,
    cause: unknown,
  ) {
    super(`Subgraph "${subgraph}" is unavailable (${reason.replace("_", " ")})`, { cause });
  }
}
