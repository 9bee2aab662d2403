import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort, until } from "./freePort.js";
import { signalAndWait } from "./processes.js";

/** A `redis-server` of the test's own, on a free port, that it may restart and flush. */
export interface PrivateRedis {
  url: string;
  /** Stops the server without saving (as a crash or a restart without persistence would) and starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Stops the server; `start` brings it back (empty). */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** `FLUSHALL`: every key gone, every connection kept. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts `redis-server` (from `PATH`, or `REDIS_SERVER`) without persistence: a restart loses
 * every key, the worst case a production Redis must be able to survive.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "fault-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const ping = async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on("error", () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === "PONG";
    } finally {
      client.disconnect();
    }
  };

  const start = async () => {
    child = spawn(
      process.env.REDIS_SERVER ?? "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
      {
        stdio: "ignore",
      },
    );
    await until(`redis-server on ${port} answers`, ping, 10_000);
  };

  const kill = () => signalAndWait(child, "SIGKILL");

  await start();
  return {
    url,
    start,
    kill,
    async restart() {
      await kill();
      await start();
    },
    async flush() {
      const client = new Redis(url);
      await client.flushall();
      client.disconnect();
    },
    async close() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
