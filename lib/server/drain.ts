import type { Server } from "node:http";
import { Server as NetServer, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Logger } from "../logger.js";

export interface DrainOptions {
  /** How long in-flight requests get before their connections are cut, default 8000 ms (inside the 10 s of `stopOnSignals`). */
  graceMs?: number;
  /** How long a connection accepted just before the stop has to send its request, default 500 ms. */
  settleMs?: number;
}

/**
 * Stops an HTTP server without losing a request it accepted: unlike `server.close()` (and
 * Apollo's drain plugin), which in Node 19+ also closes at once every connection with no
 * request in progress, including one accepted a moment ago whose request has not arrived
 * yet (the client then sees a reset), this
 * 1. stops listening: new connections are refused;
 * 2. answers every request from then on with `Connection: close`, so keep-alive clients move on;
 * 3. after `settleMs`, closes the connections that are still idle;
 * 4. waits for the last answer, cutting what is left after `graceMs`.
 */
export async function drainHttpServer(server: Server, { graceMs = 8_000, settleMs = 500 }: DrainOptions = {}, sockets?: Set<Socket>): Promise<void> {
  server.on("request", (_req, res) => {
    if (!res.headersSent) res.setHeader("connection", "close");
  });
  // One turn of the event loop first: connections already waiting in the kernel's accept
  // queue are accepted (and so answered) rather than reset when the listening socket closes.
  await new Promise((resolve) => setImmediate(resolve));
  const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
  await Promise.race([closed, delay(settleMs)]);
  server.closeIdleConnections();
  const cut = setTimeout(
    () => {
      server.closeAllConnections();
      // Upgraded sockets (WebSockets) are no longer the HTTP server's to close.
      for (const socket of sockets ?? []) socket.destroy();
    },
    Math.max(0, graceMs - settleMs),
  );
  await closed;
  clearTimeout(cut);
}

/**
 * {@link drainHttpServer} as Apollo Server's drain step, run first thing in `apollo.stop()`.
 * Logs how many HTTP requests the server received and answered over its life ("drained"):
 * the two are equal when no accepted request was lost.
 */
export function drainPlugin(server: Server, logger: Logger, options?: DrainOptions): ApolloServerPlugin<any> {
  let received = 0;
  let answered = 0;
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("request", (_req, res) => {
    received += 1;
    res.once("finish", () => (answered += 1));
  });
  return {
    async serverWillStart() {
      return {
        drainServer: async () => {
          await drainHttpServer(server, options, sockets);
          logger.info({ received, answered }, "drained");
        },
      };
    },
  };
}
