import { randomUUID } from "node:crypto";
import type { Context } from "graphql-ws";
import type { Extra } from "graphql-ws/use/ws";
import { CloseCode, tokenFromConnectionParams } from "../../../lib/auth/connectionParams.js";
import type { Principal } from "../../../lib/auth/tokens.js";
import type { TokenVerifier } from "../../../lib/auth/verifier.js";
import type { Logger } from "../../../lib/logger.js";

/** What the gateway keeps on each authenticated connection. */
export type ConnectionState = {
  principal?: Principal;
  token?: string;
  requestId?: string;
  timers?: NodeJS.Timeout[];
};

export type ConnectionContext = Context<Record<string, unknown>, Extra & Partial<ConnectionState>>;

/**
 * Authenticates graphql-ws connections and keeps them honest afterwards: a connection without
 * a valid token is closed with 4401 and the reason; an accepted one is closed (4401, "token
 * expired") when its token expires, and checked again every `recheckMs` so that a revoked
 * token (logout, a deactivated user) ends its subscriptions within that delay.
 */
export function connectionAuth(verifier: TokenVerifier, logger: Logger, recheckMs: number, onRefused: () => void = () => undefined) {
  const refuse = (ctx: ConnectionContext, reason: string) => {
    logger.info({ reason }, "subscription connection refused");
    onRefused();
    ctx.extra.socket.close(CloseCode.Unauthorized, `Unauthorized: ${reason}`.slice(0, 120));
    return false;
  };
  return {
    async onConnect(ctx: ConnectionContext): Promise<boolean> {
      const token = tokenFromConnectionParams(ctx.connectionParams);
      if (!token) return refuse(ctx, "no token in connectionParams (send { authorization: \"Bearer <token>\" })");
      let principal: Principal;
      try {
        principal = await verifier.verify(token);
      } catch (err) {
        return refuse(ctx, (err as Error).message);
      }
      const header = ctx.extra.request.headers["x-request-id"];
      Object.assign(ctx.extra, { principal, token, requestId: typeof header === "string" ? header : randomUUID() });
      const expiry = setTimeout(() => refuse(ctx, "token expired"), Math.max(0, principal.exp * 1000 - Date.now()));
      const recheck = setInterval(() => {
        verifier.verify(token).catch((err: Error) => refuse(ctx, err.message));
      }, recheckMs);
      ctx.extra.timers = [expiry, recheck];
      return true;
    },
    onClose(ctx: ConnectionContext): void {
      for (const timer of ctx.extra.timers ?? []) clearTimeout(timer);
    },
  };
}
