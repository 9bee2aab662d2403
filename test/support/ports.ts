import { createServer, type Server } from "node:net";

/**
 * `count` distinct TCP ports free on 127.0.0.1 right now: each bound on port 0 and released, all
 * at once, so none is handed out twice. For services that must know each other's address
 * before they start.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** A TCP port nothing listens on right now, on 127.0.0.1, for a server the test starts itself. */
export const freePort = async (): Promise<number> => (await freePorts(1))[0]!;
