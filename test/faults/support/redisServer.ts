import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../../support/ports.js";
import { until } from "../../support/until.js";
import { privateServer, signalAndWait, type PrivateServer } from "./processes.js";

/** A `redis-server` of the test's own, on a free port, that it may restart and flush. */
export interface PrivateRedis extends PrivateServer {
  /** Stops the server without saving (as a crash or a restart without persistence would) and starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Stops the server; `start` brings it back (empty). */
  kill(): Promise<void>;
  /** `FLUSHALL`: every key gone, every connection kept. */
  flush(): Promise<void>;
  /**
   * Puts Redis under memory pressure (a `maxmemory` just above what it holds, `allkeys-lru`) and
   * writes filler until every key it held before has been evicted, as a Redis that runs out of
   * memory would; then lifts the limit and removes the filler. Returns how many keys went.
   */
  evictAll(): Promise<number>;
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
    ...privateServer(url, dir, start, kill),
    kill,
    async flush() {
      const client = new Redis(url);
      await client.flushall();
      client.disconnect();
    },
    async evictAll() {
      const client = new Redis(url);
      const held = await client.keys("*");
      const memory = Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1]);
      const filler = "x".repeat(10_000);
      let written = 0;
      try {
        await client.config("SET", "maxmemory-policy", "allkeys-lru");
        await client.config("SET", "maxmemory", String(memory + 2_000_000));
        while (held.length > 0 && (await client.exists(...held)) > 0) {
          if (written >= 50_000) throw new Error(`Redis kept some of ${held.join(", ")} after ${written} filler writes`);
          const batch = client.pipeline();
          for (let i = 0; i < 100; i++) batch.set(`fault:filler:${written++}`, filler);
          await batch.exec();
        }
        return Number(/evicted_keys:(\d+)/.exec(await client.info("stats"))?.[1]);
      } finally {
        await client.config("SET", "maxmemory", "0");
        await client.config("SET", "maxmemory-policy", "noeviction");
        for (let from = 0; from < written; from += 1_000) {
          await client.unlink(...Array.from({ length: Math.min(1_000, written - from) }, (_, i) => `fault:filler:${from + i}`));
        }
        client.disconnect();
      }
    },
  };
}
