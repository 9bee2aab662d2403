import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { CloseCode, tokenFromConnectionParams } from "../auth/connectionParams.js";
import type { Principal } from "../auth/tokens.js";
import type { TokenVerifier } from "../auth/verifier.js";
import type { Logger } from "../logger.js";
import type { RequestContext } from "./requestContext.js";

export interface SubscriptionServerOptions<TContext> {
  httpServer: Server;
  schema: GraphQLSchema;
  verifier: TokenVerifier;
  logger: Logger;
  /** Adds the subgraph's own members to the base context, as for HTTP requests. */
  context: (base: RequestContext) => TContext;
}

type Connection = {
  principal?: Principal;
  token?: string;
  requestId?: string;
};

/**
 * graphql-ws on the subgraph's own `/graphql` (same port as HTTP). The connection must carry
 * a valid token in `connectionParams` (see `tokenFromConnectionParams`); it is verified as HTTP
 * tokens are, and the authorization directives apply to `subscribe` as to `resolve`.
 */
export function serveSubscriptions<TContext>({ httpServer, schema, verifier, logger, context }: SubscriptionServerOptions<TContext>) {
  const wss = new WebSocketServer({ server: httpServer, path: "/graphql" });
  const server = useServer<Record<string, unknown>, Connection>(
    {
      schema,
      onConnect: async (ctx) => {
        const token = tokenFromConnectionParams(ctx.connectionParams);
        if (!token) return ctx.extra.socket.close(CloseCode.Unauthorized, "Unauthorized: no token in connectionParams"), false;
        try {
          ctx.extra.principal = await verifier.verify(token);
        } catch (err) {
          return ctx.extra.socket.close(CloseCode.Unauthorized, `Unauthorized: ${(err as Error).message}`), false;
        }
        ctx.extra.token = token;
        const requestId = ctx.extra.request.headers["x-request-id"];
        ctx.extra.requestId = typeof requestId === "string" ? requestId : randomUUID();
        return true;
      },
      context: (ctx) => {
        const { principal, token, requestId = randomUUID() } = ctx.extra;
        return context({ requestId, auth: principal ?? null, authorization: `Bearer ${token}`, logger: logger.child({ requestId }) }) as never;
      },
    },
    wss,
  );
  return {
    /** Closes every connection, then the WebSocket server. */
    async close() {
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
