import amqp from "amqplib";
import { Redis } from "ioredis";
import pg from "pg";
import type { BackingServices } from "./config.js";

const HOW_TO_START = {
  PostgreSQL: "start it with `pg_ctlcluster <version> main start` or `docker compose up -d postgres`",
  Redis: "start it with `redis-server --daemonize yes` or `docker compose up -d redis`",
  RabbitMQ: "start it with `rabbitmq-server -detached` or `docker compose up -d rabbitmq`",
} as const;

type Backing = keyof typeof HOW_TO_START;

/** A backing service that could not be reached, with where it was looked for and what to do. */
export class UnreachableError extends Error {
  override name = "UnreachableError";
  constructor(
    readonly service: Backing,
    address: string,
    cause: unknown,
  ) {
    super(`Cannot reach ${service} at ${address} (${(cause as Error)?.message || String(cause)}): ${HOW_TO_START[service]}.`);
  }
}

/** `host:port` of a URL, without credentials, for messages. */
export const addressOf = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || { "redis:": 6379, "rediss:": 6379, "amqp:": 5672, "amqps:": 5671 }[u.protocol] || 5432}`;
};

async function postgres(url: string): Promise<void> {
  const server = new URL(url);
  server.pathname = "/postgres";
  const client = new pg.Client({ connectionString: server.toString(), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new UnreachableError("PostgreSQL", addressOf(url), err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redis(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new UnreachableError("Redis", addressOf(url), err);
  } finally {
    client.disconnect();
  }
}

async function rabbitmq(url: string): Promise<void> {
  try {
    const connection = await amqp.connect(url, { timeout: 3_000 });
    await connection.close();
  } catch (err) {
    throw new UnreachableError("RabbitMQ", addressOf(url), err);
  }
}

/**
 * Checks that the backing services answer, all at once; the error names every one that does
 * not, where it was looked for and how to start it.
 */
export async function checkBackingServices(services: Partial<BackingServices>): Promise<void> {
  const checks = [
    services.databaseUrl && postgres(services.databaseUrl),
    services.redisUrl && redis(services.redisUrl),
    services.amqpUrl && rabbitmq(services.amqpUrl),
  ].filter((c): c is Promise<void> => !!c);
  const failures = (await Promise.allSettled(checks)).flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
  if (failures.length > 0) throw new Error(failures.map((f) => f.message).join("\n"));
}
