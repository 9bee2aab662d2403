import type { Request } from "express";
import { InvalidTokenError, refusalMessage, type Principal } from "../auth/tokens.js";
import type { TokenVerifier } from "../auth/verifier.js";
import { httpError } from "../errors.js";
import type { Logger } from "../logger.js";
import { requestIdOf } from "./requestId.js";

/** What every request context starts from, in the gateway and in each subgraph. */
export interface RequestContext {
  /** `x-request-id` from the caller or the gateway, or a new one: it follows the call through every log. */
  requestId: string;
  /** The verified caller, `null` for an anonymous call. */
  auth: Principal | null;
  /** The caller's `Authorization` header, forwarded when this service calls another. */
  authorization: string | undefined;
  /** The service's logger with the request id: every line about this request goes through it. */
  logger: Logger;
}

/**
 * The verification of the request's bearer token, started once and kept with the request
 * (`res.locals`): the rate limiter, which must know the caller to count the call, starts it;
 * the context reuses it.
 */
export function authenticate(req: Request, verifier: TokenVerifier): Promise<Principal | null> {
  const locals = (req.res?.locals ?? {}) as { authentication?: Promise<Principal | null> };
  locals.authentication ??= verifier.authenticate(req.headers.authorization);
  return locals.authentication;
}

/**
 * Reads the request id and verifies the bearer token. A missing token is an anonymous call;
 * an invalid, expired or revoked one is refused with 401 UNAUTHENTICATED, never downgraded
 * to anonymous. The client is told only whether the token expired, was revoked or is invalid;
 * the precise reason (which may name the expected issuer or echo the caller's `kid`) is logged.
 */
export async function readRequestContext(req: Request, verifier: TokenVerifier, logger: Logger): Promise<RequestContext> {
  const requestId = requestIdOf(req);
  const authorization = req.headers.authorization;
  const requestLogger = logger.child({ requestId });
  try {
    const auth = await authenticate(req, verifier);
    return { requestId, auth, authorization, logger: requestLogger };
  } catch (err) {
    if (!(err instanceof InvalidTokenError)) throw err;
    requestLogger.info({ reason: err.message }, "token refused");
    throw httpError("UNAUTHENTICATED", refusalMessage(err));
  }
}
