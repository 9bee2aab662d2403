import type { GraphQLFormattedError } from "graphql";
import { REST_STATUS, RestError } from "#lib/errors.js";

/**
 * The REST error body and its statuses are defined with the other ways an error is answered,
 * in `lib/errors.ts`, so that guards running before the REST router (rate limits) answer in it.
 */
export { REST_STATUS, RestError, type RestErrorBody } from "#lib/errors.js";

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
