import { afterAll, beforeAll } from "vitest";
import { readBackingServices } from "#lib/config.js";
import { startTcpProxy, type TcpProxy } from "../../support/tcpProxy.js";
import { signInActors, type Actors } from "../../subscriptions/batches.js";
import { startSubscriptionFixture, type ProcessFixtureStack, type SubscriptionFixture } from "../../subscriptions/fixture.js";
import { PATIENT } from "./checks.js";
import { startPrivatePostgres, type PrivatePostgres } from "./postgresServer.js";
import { startPrivateRedis, type PrivateRedis } from "./redisServer.js";

/** One stack for every fault case, on backing services the cases may break. */
export interface FaultWorld {
  /** The stack's own `redis-server`, restarted and flushed by the Redis cases. */
  redis: PrivateRedis;
  /** The stack's own PostgreSQL, restarted by the PostgreSQL case. */
  postgres: PrivatePostgres;
  /** Between production and the shared RabbitMQ node, cut by the broker case. */
  broker: TcpProxy;
  fixture: SubscriptionFixture<ProcessFixtureStack>;
  actors: Actors;
  /** The Redis channel status changes travel on: a live subscription listens on it. */
  channel: string;
}

/**
 * Starts, before the file's cases, one stack (the four services as processes) on a private
 * Redis, a private PostgreSQL and a proxy to RabbitMQ, with the demo users signed in; stops
 * it all after them. Starting a stack is the slow part of a fault case, so they share one.
 */
export function useFaultWorld(): FaultWorld {
  const world = {} as FaultWorld;
  beforeAll(async () => {
    const amqp = new URL(readBackingServices().amqpUrl);
    [world.redis, world.postgres, world.broker] = await Promise.all([
      startPrivateRedis(),
      startPrivatePostgres(),
      startTcpProxy({ host: amqp.hostname, port: Number(amqp.port || 5672) }),
    ]);
    const viaProxy = new URL(amqp);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(world.broker.port);
    world.fixture = await startSubscriptionFixture({
      processes: true,
      database: { url: world.postgres.url, drop: async () => undefined },
      env: { REDIS_URL: world.redis.url, AMQP_URL: viaProxy.toString(), ...PATIENT },
    });
    world.actors = await signInActors(world.fixture);
    world.channel = `${world.fixture.stack.env.REDIS_PREFIX}events:batch.status.changed`;
  }, 300_000);
  afterAll(async () => {
    await world.fixture?.close();
    await Promise.all([world.redis?.close(), world.postgres?.close(), world.broker?.close()]);
  });
  return world;
}
