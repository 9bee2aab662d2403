import type { Server } from "node:http";
import { GraphQLError, type ExecutionArgs, type GraphQLFormattedError } from "graphql";
import { areGraphQLErrors, type ServerOptions, type SubscribePayload } from "graphql-ws";
import { useServer, type Extra } from "graphql-ws/use/ws";
import type { Registry } from "prom-client";
import { WebSocketServer } from "ws";
import type { TokenVerifier } from "../auth/verifier.js";
import { apiError, maskingFormatError } from "../errors.js";
import type { Logger } from "../logger.js";
import { wsAuthenticator, type WsConnection, type WsContext, type WsExtra } from "./wsAuth.js";
import { webSocketMetrics } from "./wsMetrics.js";
import type { WebSocketSettings } from "../config.js";

type Formatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export interface GraphqlWsOptions {
  httpServer: Server;
  settings: WebSocketSettings;
  verifier: TokenVerifier;
  logger: Logger;
  /** Where the connection and subscription metrics go. */
  metrics: Registry;
  /**
   * Checks a `subscribe` message of an authenticated connection and returns what to run, or the
   * client's errors (sent as they are).
   */
  onSubscribe(payload: SubscribePayload, connection: WsConnection): Promise<ExecutionArgs | readonly GraphQLError[]>;
  /** Runs the operation; default graphql-js' `subscribe`. */
  subscribe?: ServerOptions<Record<string, unknown>, Extra & WsExtra>["subscribe"];
  /**
   * Formats the errors of results and of failed streams, with the connection's logger (its
   * request id). Default `maskingFormatError`: internal errors reach the client as
   * `INTERNAL_SERVER_ERROR` without their text, logged in full.
   */
  formatError?: (logger: Logger) => Formatter;
}

/**
 * graphql-ws on `/graphql` of an HTTP server, as every service serves it (the gateway and the
 * subgraphs). What makes it safe to expose lives here, once:
 * - frames are bounded (`maxPayload`, 1009 beyond) before anything is buffered;
 * - a socket must send `connection_init` in time (4408) with a valid token (4401), and is closed
 *   when its token expires or is revoked (`wsAuthenticator`);
 * - a connection holds at most `maxSubscriptions` subscriptions at once;
 * - errors are formatted like those of HTTP responses: internal ones masked, logged with the
 *   request id; close reasons never carry an internal error's text.
 */
export function serveGraphqlWs(options: GraphqlWsOptions) {
  const { httpServer, settings, logger, formatError = maskingFormatError } = options;
  const wss = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: settings.maxPayloadBytes });
  const metrics = webSocketMetrics(options.metrics, () => wss.clients.size);
  const auth = wsAuthenticator({
    verifier: options.verifier,
    logger,
    recheckMs: settings.authRecheckMs,
    onRefused: metrics.refused,
  });
  // The errors `onSubscribe` returned: written for the client, sent as they are.
  const clientErrors = new WeakSet<GraphQLError>();
  const format = (ctx: WsContext, thrown: GraphQLError): GraphQLFormattedError => {
    // graphql-ws wraps what a stream throws (a subscriber fallen too far behind) without its code.
    const error = thrown.extensions?.code === undefined && thrown.originalError instanceof GraphQLError ? thrown.originalError : thrown;
    if (clientErrors.has(error)) return error.toJSON();
    const formatted = error instanceof GraphQLError ? error.toJSON() : { message: String((error as Error)?.message) };
    return formatError(ctx.extra.connection?.logger ?? logger)(formatted, error);
  };

  const server = useServer<Record<string, unknown>, WsExtra>(
    {
      // Close reasons without an internal error's message, in development too.
      isProd: true,
      connectionInitWaitTimeout: settings.connectionInitTimeoutMs,
      onConnect: auth.onConnect,
      onClose: auth.onClose,
      onSubscribe: async (ctx, _id, payload) => {
        // graphql-ws has already registered this one: more than the limit means one too many.
        const refused =
          Object.keys(ctx.subscriptions).length > settings.maxSubscriptions
            ? [apiError("TOO_MANY_REQUESTS", `Too many subscriptions on this connection: ${settings.maxSubscriptions} at most`)]
            : await options.onSubscribe(payload, ctx.extra.connection!);
        if (areGraphQLErrors(refused)) for (const error of refused) clientErrors.add(error);
        return refused;
      },
      subscribe: options.subscribe,
      onOperation: () => metrics.started(),
      onComplete: () => metrics.ended(),
      onNext: (ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: result.errors.map((error) => format(ctx, error)) } : undefined),
      onError: (ctx, _id, _payload, errors) => errors.map((error) => format(ctx, error)),
    },
    wss,
  );

  return {
    auth,
    /** Closes every connection, then the WebSocket server, and stops watching revocations. */
    async close() {
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await auth.close();
    },
  };
}
