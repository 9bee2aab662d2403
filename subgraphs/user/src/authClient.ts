import type { GraphQLError } from "graphql";
import { apiError } from "#lib/errors.js";
import { callService, SERVICE_CALL_TIMEOUT_MS, ServiceUnavailableError } from "#lib/graphql/serviceCall.js";
import type { Logger } from "#lib/logger.js";

/** How long a call to the auth subgraph may take before it counts as unavailable. */
export const AUTH_TIMEOUT_MS = SERVICE_CALL_TIMEOUT_MS;

/** The auth mutations the user subgraph relies on (DESIGN.md, "Ownership"). */
export interface AuthClient {
  /** Stores the password of a user; auth applies its password policy. */
  setPassword(userId: string, password: string): Promise<void>;
  /** Signs a user out everywhere: refresh tokens and access tokens issued up to now stop working. */
  revokeUserSessions(userId: string): Promise<void>;
}

export interface AuthClientOptions {
  /** Base URL of the auth subgraph (`AUTH_URL`). */
  authUrl: string;
  /** The caller's `Authorization` header, forwarded: auth checks the caller's own scopes. */
  authorization: string | undefined;
  /** Forwarded as `x-request-id`, so one request can be followed through both services. */
  requestId: string;
  logger: Logger;
  /** Default {@link AUTH_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/**
 * A client of the auth subgraph's GraphQL API for one request. Throws the caller's own
 * errors from auth as `GraphQLError`s with auth's message and code, anything else as
 * {@link ServiceUnavailableError}.
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const { authUrl, authorization, requestId, logger, timeoutMs = AUTH_TIMEOUT_MS } = options;

  async function mutate(operation: string, query: string, variables: Record<string, unknown>): Promise<void> {
    try {
      await callService({ service: "auth", operation, url: authUrl, authorization, requestId, timeoutMs, query, variables });
      logger.debug({ mutation: operation }, "auth call succeeded");
    } catch (err) {
      // A refusal meant for the caller is routine; an unreachable auth is worth a warning.
      if (err instanceof ServiceUnavailableError) logger.warn({ mutation: operation, err }, "auth unavailable");
      else logger.info({ mutation: operation, code: (err as GraphQLError).extensions?.code }, "auth refused the call");
      throw err;
    }
  }

  return {
    setPassword: (userId, password) =>
      mutate("setPassword", /* GraphQL */ `mutation ($userId: ID!, $password: String!) { setPassword(userId: $userId, password: $password) }`, {
        userId,
        password,
      }),
    revokeUserSessions: (userId) => mutate("revokeUserSessions", /* GraphQL */ `mutation ($userId: ID!) { revokeUserSessions(userId: $userId) }`, { userId }),
  };
}

/**
 * Awaits an auth call; an unavailable auth becomes SERVICE_UNAVAILABLE telling the caller what
 * did not happen (`consequence`, for example "the user was not created").
 */
export async function orUnavailable<T>(call: Promise<T>, consequence: string): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (!(err instanceof ServiceUnavailableError)) throw err;
    throw apiError("SERVICE_UNAVAILABLE", `The auth service is unavailable; ${consequence}`);
  }
}
