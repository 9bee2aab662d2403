import type { IncomingHttpHeaders } from "node:http";
import { InvalidTokenError, refusalMessage, type Principal } from "../auth/tokens.js";
import type { TokenVerifier } from "../auth/verifier.js";
import { httpError } from "../errors.js";
import type { Logger } from "../logger.js";
import { requestIdFrom } from "./requestId.js";

/** What every request context starts from, in the gateway and in each subgraph. */
export interface RequestContext {
  /** `x-request-id` from the caller or the gateway, or a new one: it follows the call through every log. */
  requestId: string;
  /** The verified caller, `null` for an anonymous call. */
  auth: Principal | null;
  /** The caller's `Authorization` header, forwarded when this service calls another. */
  authorization: string | undefined;
  logger: Logger;
}

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Reads the request id and verifies the bearer token. A missing token is an anonymous call;
 * an invalid, expired or revoked one is refused with 401 UNAUTHENTICATED, never downgraded
 * to anonymous. The client is told only whether the token expired, was revoked or is invalid;
 * the precise reason (which may name the expected issuer or echo the caller's `kid`) is logged.
 */
export async function readRequestContext(
  headers: IncomingHttpHeaders,
  verifier: TokenVerifier,
  logger: Logger,
): Promise<RequestContext> {
  const requestId = requestIdFrom(headers);
  const authorization = header(headers, "authorization");
  const requestLogger = logger.child({ requestId });
  try {
    const auth = await verifier.authenticate(authorization);
    return { requestId, auth, authorization, logger: requestLogger };
  } catch (err) {
    if (!(err instanceof InvalidTokenError)) throw err;
    requestLogger.info({ reason: err.message }, "token refused");
    throw httpError("UNAUTHENTICATED", refusalMessage(err));
  }
}
