import { AsyncLocalStorage } from "node:async_hooks";
import type { Principal } from "../../lib/auth/tokens.js";
import type { TokenVerifier } from "../../lib/auth/verifier.js";
import type { Logger } from "../../lib/logger.js";

/** What the gateway knows of the HTTP request being handled, wherever Apollo calls back without it. */
export interface RequestScope {
  /** The client's IP, for the `login` rate limit. */
  ip: string;
  /** The request's logger (with its request id), once the context is built. */
  logger?: Logger;
  /** The bearer token's verification, started by the rate limiter and reused by the context. */
  verified?: { header: string | undefined; result: Promise<Principal | null> };
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

/**
 * A logger that writes through the current request's logger (so its lines carry the request
 * id) and through `fallback` outside a request: for callbacks such as `formatError`, which
 * Apollo Server calls without the context.
 */
export function scopedLogger(fallback: Logger): Logger {
  return new Proxy(fallback, {
    get: (target, property) => {
      const logger = requestScope.getStore()?.logger ?? target;
      const value = Reflect.get(logger, property);
      return typeof value === "function" ? value.bind(logger) : value;
    },
  });
}

/**
 * `verifier`, except that a token already verified for the current request (by the rate
 * limiter, which must know the user before counting) is not verified a second time.
 */
export function scopedVerifier(verifier: TokenVerifier): TokenVerifier {
  const scoped = Object.create(verifier) as TokenVerifier;
  scoped.authenticate = (header) => {
    const verified = requestScope.getStore()?.verified;
    return verified && verified.header === header ? verified.result : verifier.authenticate(header);
  };
  return scoped;
}
