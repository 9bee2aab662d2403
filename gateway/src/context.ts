import type { Request } from "express";
import type { TokenVerifier } from "#lib/auth/verifier.js";
import type { Logger } from "#lib/logger.js";
import { readRequestContext, type RequestContext } from "#lib/server/requestContext.js";

/** The gateway's per-request context: the verified caller, the request id and the client's address, forwarded to subgraphs. */
export interface GatewayContext extends RequestContext {
  /** The client's IP (as `TRUST_PROXY` lets the gateway see it): the `login` limit's key, sent to the subgraphs in `X-Forwarded-For`. Unset for subscription events. */
  clientIp?: string;
  /** The refusal subgraphs answered this request with, if any (`refusals.ts`): the highest status and longest wait. */
  refusal?: { status: number; retryAfter: number | undefined };
}

/** The context of `/graphql` and of the REST routes: the token the rate limiter verified is reused. */
export async function gatewayContext(req: Request, verifier: TokenVerifier, logger: Logger): Promise<GatewayContext> {
  return { ...(await readRequestContext(req, verifier, logger)), clientIp: req.ip ?? req.socket.remoteAddress };
}
