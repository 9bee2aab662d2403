import { CloseCode, type Context } from "graphql-ws";
import type { Extra } from "graphql-ws/use/ws";
import { tokenFromConnectionParams } from "../auth/connectionParams.js";
import { InvalidTokenError, type Principal } from "../auth/tokens.js";
import type { TokenVerifier } from "../auth/verifier.js";
import type { Logger } from "../logger.js";
import { requestIdFrom } from "./requestId.js";

/** Who an accepted connection speaks for: kept on graphql-ws' `ctx.extra.connection`. */
export interface WsConnection {
  principal: Principal;
  /** The bearer token, forwarded when the connection's operations call another service. */
  token: string;
  /** `x-request-id` of the upgrade request, or a new one. */
  requestId: string;
  /** The service's logger with the request id. */
  logger: Logger;
  /** Closes the socket with a close code (4000–4999 for the application's) and a reason (cut to 123 bytes). */
  close(code: number, reason: string): void;
}

export type WsExtra = { connection?: WsConnection };
export type WsContext = Context<Record<string, unknown>, Extra & WsExtra>;

export interface WsAuthOptions {
  verifier: TokenVerifier;
  logger: Logger;
  /** How often every connection's token is verified again, in ms (`SUBSCRIPTION_AUTH_RECHECK_MS`): the safety net behind the notices. */
  recheckMs: number;
  /** Called for every connection closed for want of a valid token (a metric). */
  onRefused?: () => void;
}

interface Tracked {
  ctx: WsContext;
  connection: WsConnection;
  timers: NodeJS.Timeout[];
  closing: boolean;
}

/** Node's timers take at most 2^31 - 1 ms; a later expiry is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Close reasons are limited to 123 bytes by the protocol. */
const closeReason = (text: string) =>
  Buffer.from(text)
    .subarray(0, 123)
    .toString()
    .replace(/\uFFFD$/, "");

/**
 * Authenticates graphql-ws connections, on the gateway and on every subgraph alike, and keeps
 * them honest while they stay open:
 * - `connection_init` must carry a valid token (`tokenFromConnectionParams`); otherwise the
 *   socket is closed with 4401 and the reason;
 * - an accepted connection is closed (4401, "token expired") when its token expires;
 * - every revocation the verifier's list hears of (logout, a deactivated user, a password change) makes
 *   the connections of that token or user verify again at once, and closes those revoked
 *   (4401, "token revoked"): within milliseconds, without a Redis call per connection;
 * - every `recheckMs` each token is verified again anyway, in case a notice was missed, and
 *   all of them when the notices' subscription comes back after a lost Redis connection.
 * A verification that fails for another reason (the revocation list never read) closes a new connection with
 * 4500 and keeps an open one until the next check.
 */
export function wsAuthenticator({ verifier, logger, recheckMs, onRefused = () => undefined }: WsAuthOptions) {
  const open = new Map<WsContext, Tracked>();
  const byUser = new Map<string, Set<Tracked>>();
  const byJti = new Map<string, Set<Tracked>>();
  // Counts notices, so that a connection whose token was being verified while one arrived is verified again.
  let notices = 0;

  const index = (map: Map<string, Set<Tracked>>, key: string, tracked: Tracked, add: boolean) => {
    const set = map.get(key) ?? new Set<Tracked>();
    if (add) map.set(key, set.add(tracked));
    else if (set.delete(tracked) && set.size === 0) map.delete(key);
  };

  const refuse = (ctx: WsContext, reason: string): false => {
    const tracked = open.get(ctx);
    if (tracked?.closing) return false;
    if (tracked) tracked.closing = true;
    (tracked?.connection.logger ?? logger).info({ reason, userId: tracked?.connection.principal.userId }, "WebSocket connection refused");
    onRefused();
    ctx.extra.socket.close(CloseCode.Unauthorized, closeReason(`Unauthorized: ${reason}`));
    return false;
  };

  const verifyAgain = async (tracked: Tracked): Promise<void> => {
    if (tracked.closing) return;
    const { principal, token, logger: log } = tracked.connection;
    if (Date.now() >= principal.exp * 1000) return void refuse(tracked.ctx, "token expired");
    try {
      await verifier.verify(token);
    } catch (err) {
      if (err instanceof InvalidTokenError) return void refuse(tracked.ctx, err.publicReason);
      log.warn({ err }, "verifying an open WebSocket connection's token failed; verified again at the next check");
    }
  };

  const expireAt = (tracked: Tracked, at: number): NodeJS.Timeout =>
    setTimeout(
      () => {
        if (Date.now() >= at) refuse(tracked.ctx, "token expired");
        else tracked.timers[0] = expireAt(tracked, at);
      },
      Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())),
    );

  /** Verifies again, now, the open connections a notice concerns (all of them with `"all"`). */
  const recheck = async (which: { jti: string } | { userId: string } | "all"): Promise<void> => {
    const targets = which === "all" ? open.values() : "jti" in which ? (byJti.get(which.jti) ?? []) : (byUser.get(which.userId) ?? []);
    await Promise.all([...targets].map(verifyAgain));
  };

  // The verifier's list hears every revocation: the connections it concerns are verified again.
  const stopListening = verifier.revocations.listen({
    notice: (notice) => {
      notices += 1;
      void recheck(notice);
    },
    gap: () => {
      notices += 1;
      logger.info("revocation notices resumed after a lost Redis connection: verifying every open WebSocket connection");
      void recheck("all");
    },
  });

  return {
    /** Resolves once the revocation list has been read. */
    ready: verifier.revocations.loaded,

    /** graphql-ws' `onConnect`: verifies the token and starts watching the connection. */
    async onConnect(ctx: WsContext): Promise<boolean> {
      const token = tokenFromConnectionParams(ctx.connectionParams);
      if (!token) return refuse(ctx, 'no token in connectionParams (send { authorization: "Bearer <token>" })');
      const seen = notices;
      const requestId = requestIdFrom(ctx.extra.request.headers);
      let principal: Principal;
      try {
        principal = await verifier.verify(token);
      } catch (err) {
        if (err instanceof InvalidTokenError) return refuse(ctx, err.publicReason);
        logger.error({ err, requestId }, "verifying a WebSocket connection's token failed");
        ctx.extra.socket.close(CloseCode.InternalServerError, "Internal server error");
        return false;
      }
      if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
      const { socket } = ctx.extra;
      const connection: WsConnection = {
        principal,
        token,
        requestId,
        logger: logger.child({ requestId }),
        close: (code, reason) => socket.close(code, closeReason(reason)),
      };
      const tracked: Tracked = { ctx, connection, timers: [], closing: false };
      tracked.timers.push(
        expireAt(tracked, principal.exp * 1000),
        setInterval(() => void verifyAgain(tracked), recheckMs),
      );
      open.set(ctx, tracked);
      index(byUser, principal.userId, tracked, true);
      index(byJti, principal.jti, tracked, true);
      ctx.extra.connection = connection;
      // A notice that arrived while the token was being verified may concern it.
      if (notices !== seen) await verifyAgain(tracked);
      return !tracked.closing;
    },

    /** graphql-ws' `onClose`: stops watching the connection. */
    onClose(ctx: WsContext): void {
      const tracked = open.get(ctx);
      if (!tracked) return;
      for (const timer of tracked.timers) clearTimeout(timer);
      open.delete(ctx);
      index(byUser, tracked.connection.principal.userId, tracked, false);
      index(byJti, tracked.connection.principal.jti, tracked, false);
    },

    recheck,

    /** Stops listening to revocation notices and every connection's timers. */
    async close(): Promise<void> {
      for (const tracked of open.values()) for (const timer of tracked.timers) clearTimeout(timer);
      stopListening();
    },
  };
}

export type WsAuthenticator = ReturnType<typeof wsAuthenticator>;
