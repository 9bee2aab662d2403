import { GraphQLError } from "graphql";
import { apiError, isCallerCode } from "#lib/errors.js";
import { REQUEST_ID_HEADER } from "#lib/server/requestId.js";
import type { Logger } from "#lib/logger.js";

/** How long a call to the auth subgraph may take before it counts as unavailable. */
export const AUTH_TIMEOUT_MS = 5_000;

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

/** Auth could not be asked (down, timed out, answered garbage or failed inside). */
export class AuthUnavailableError extends Error {
  override name = "AuthUnavailableError";
}

type GraphQLResponse = { data?: unknown; errors?: Array<{ message?: string; extensions?: Record<string, unknown> }> };

/**
 * A client of the auth subgraph's GraphQL API for one request. Throws the caller's own
 * errors from auth as `GraphQLError`s with auth's message and code, anything else as
 * {@link AuthUnavailableError}.
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const { authUrl, authorization, requestId, logger, timeoutMs = AUTH_TIMEOUT_MS } = options;

  async function mutate(name: string, query: string, variables: Record<string, unknown>): Promise<void> {
    try {
      await send(name, query, variables);
      logger.debug({ mutation: name }, "auth call succeeded");
    } catch (err) {
      // A refusal meant for the caller is routine; an unreachable auth is worth a warning.
      if (err instanceof AuthUnavailableError) logger.warn({ mutation: name, err }, "auth unavailable");
      else logger.info({ mutation: name, code: (err as GraphQLError).extensions?.code }, "auth refused the call");
      throw err;
    }
  }

  async function send(name: string, query: string, variables: Record<string, unknown>): Promise<void> {
    let body: GraphQLResponse;
    try {
      const response = await fetch(`${authUrl}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [REQUEST_ID_HEADER]: requestId,
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      body = (await response.json()) as GraphQLResponse;
    } catch (err) {
      throw new AuthUnavailableError(`auth ${name} failed: ${(err as Error).message}`, { cause: err });
    }
    const error = body.errors?.[0];
    if (error) {
      const code = error.extensions?.code;
      // Errors auth wrote for the caller are passed on as they are, for example a password-policy message.
      if (isCallerCode(code)) {
        const { http: _http, ...extensions } = error.extensions ?? {};
        throw new GraphQLError(error.message ?? code, { extensions });
      }
      throw new AuthUnavailableError(`auth ${name} failed: ${String(code)} ${error.message}`);
    }
    if (!body.data || typeof body.data !== "object") throw new AuthUnavailableError(`auth ${name} answered without data`);
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
    if (!(err instanceof AuthUnavailableError)) throw err;
    throw apiError("SERVICE_UNAVAILABLE", `The auth service is unavailable; ${consequence}`);
  }
}
