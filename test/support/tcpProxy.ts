import { once } from "node:events";
import { createConnection, createServer, type AddressInfo, type Socket } from "node:net";

/** A TCP proxy between a client under test and a real server, that the test can cut. */
export interface TcpProxy {
  /** The port clients connect to, on 127.0.0.1. */
  port: number;
  /** Destroys every live connection and refuses new ones until `restore`. */
  cut(): void;
  /** Accepts and forwards connections again. */
  restore(): void;
  /** Connections forwarded so far (accepted while not cut). */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * Forwards each connection on a free local port to `target`, byte for byte, so that a test can
 * take a backing service away from one client (and give it back) without stopping the
 * service that other tests share.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const live = new Set<Socket>();
  let isCut = false;
  let connections = 0;
  const server = createServer((client) => {
    if (isCut) {
      // Accepted only to be reset at once: to the client it looks like a server that is down.
      client.resetAndDestroy();
      return;
    }
    connections += 1;
    const upstream = createConnection(target);
    for (const socket of [client, upstream]) {
      live.add(socket);
      socket.on("close", () => live.delete(socket));
      // A reset on one side ends both; the error itself is what the test provoked.
      socket.on("error", () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      isCut = true;
      for (const socket of live) socket.destroy();
      live.clear();
    },
    restore() {
      isCut = false;
    },
    get connections() {
      return connections;
    },
    async close() {
      for (const socket of live) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
