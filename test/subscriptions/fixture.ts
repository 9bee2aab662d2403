import { randomBytes, randomUUID, type KeyObject } from "node:crypto";
import amqp from "amqplib";
import { readBackingServices } from "#lib/config.js";
import { withClient } from "../../scripts/database.js";
import { assertEventsExchange } from "#lib/events/broker.js";
import { cloneTestDatabase, type TestDatabase } from "../support/database.js";
import { login } from "../support/login.js";
import { startInProcessStack } from "../support/inProcessStack.js";
import type { SubgraphName } from "#lib/server/runtime.js";
import { startStack, type Stack } from "../support/stack.js";
import { seedStack } from "../support/seed.js";

/** The demo users the tests sign in as. */
export type Role = "admin" | "production" | "qa" | "viewer";

/** What the subscription tests use of a stack, whether its services run in this process or as processes. */
export interface BaseFixtureStack {
  gateway: { url: string };
  auth: { url: string };
  user: { url: string };
  production: { url: string };
  /** The environment every service was started with. */
  env: Record<string, string>;
  /** The auth subgraph's signing key, to forge tokens. */
  privateKey: KeyObject;
  /** Stops one subgraph, as a crashed instance. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

/** A fixture's stack in this process (the default): a stopped subgraph can be started again. */
export interface FixtureStack extends BaseFixtureStack {
  /** Starts a stopped subgraph again where it listened, as a supervisor would. */
  restartSubgraph(name: SubgraphName): Promise<void>;
}

/** A fixture's stack whose services run as processes (their logs, their pids). */
export type ProcessFixtureStack = Stack & Pick<BaseFixtureStack, "stopSubgraph">;

/**
 * A stack of its own for the subscription tests: its own database (so its relay is the only
 * one publishing), exchange (declared first, so that an external publisher can use it at once),
 * subscription queue and Redis prefix, seeded with the demo users.
 */
export interface SubscriptionFixture<S extends BaseFixtureStack = FixtureStack> {
  stack: S;
  exchange: string;
  queue: string;
  /** A new access token of a demo user, logged in through the gateway. */
  login(role: Role): Promise<string>;
  /** Publishes raw bytes to the exchange, as another system would with amqplib. */
  publishRaw(routingKey: string, body: string | Buffer, properties?: amqp.Options.Publish): Promise<void>;
  /**
   * Publishes what a legacy system sends when a batch starts: a bare payload that names no
   * user, for a change already in the audit trail. Resolves with the message id.
   */
  publishLegacyStart(batchId: string, messageId?: string): Promise<string>;
  /** How many messages wait in a queue. */
  messageCount(queue: string): Promise<number>;
  /**
   * The id of the latest event in the event log (of one batch, if given), to subscribe with
   * `after`: every later event is then replayed or delivered live, whenever the subscription
   * becomes live, so a test needs no wait before causing events.
   */
  lastEventId(batchId?: string): Promise<string>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  /** More variables for every service. */
  env?: Record<string, string>;
  /** Required outside vitest (the bench); in tests, the run's prefix plus a random part. */
  redisPrefix?: string;
  /** Required outside vitest (the bench migrates one); in tests, a copy of the run's template. Dropped on close. */
  database?: TestDatabase;
  /**
   * The services run as processes (`tsx`, as `npm start` runs them): for several instances of
   * one service, and outside vitest (the soak bench). Default: in this process, on free ports.
   */
  processes?: boolean;
  /** With `processes`: the folder of a build (`npm run build`) the services run from, compiled. */
  compiled?: string;
}

/** Starts the four services, seeded with the demo users. */
async function startFixtureStack(
  { processes = false, compiled }: Pick<FixtureOptions, "processes" | "compiled">,
  databaseUrl: string,
  redisPrefix: string | undefined,
  env: Record<string, string>,
): Promise<FixtureStack | ProcessFixtureStack> {
  if (!processes) {
    const stack = await startInProcessStack({ databaseUrl, env: { ...env, ...(redisPrefix && { REDIS_PREFIX: redisPrefix }) } });
    await stack.seed().catch(async (err: unknown) => {
      await stack.stop();
      throw err;
    });
    return stack;
  }
  const stack = await startStack({ databaseUrl, redisPrefix, env, compiled });
  await seedStack(stack).catch(async (err: unknown) => {
    await stack.stop();
    throw err;
  });
  const stopSubgraph = async (name: SubgraphName) => void (await stack[name].stop());
  return { ...stack, stopSubgraph };
}

export function startSubscriptionFixture(options: FixtureOptions & { processes: true }): Promise<SubscriptionFixture<ProcessFixtureStack>>;
export function startSubscriptionFixture(options?: FixtureOptions): Promise<SubscriptionFixture>;
export async function startSubscriptionFixture({ env = {}, redisPrefix, database: given, processes, compiled }: FixtureOptions = {}): Promise<
  SubscriptionFixture<FixtureStack | ProcessFixtureStack>
> {
  const exchange = `production.events.test-${process.pid}-${randomBytes(4).toString("hex")}`;
  const database = given ?? (await cloneTestDatabase());
  const connection = await amqp.connect(readBackingServices().amqpUrl);
  const channel = await connection.createConfirmChannel();
  await assertEventsExchange(channel, exchange);
  const stack = await startFixtureStack({ processes, compiled }, database.url, redisPrefix, { EVENTS_EXCHANGE: exchange, ...env });
  // The stack names its subscription queue (and deletes it with its dead-letter queue).
  const queue = stack.env.SUBSCRIPTIONS_QUEUE!;
  const publishRaw: SubscriptionFixture["publishRaw"] = async (routingKey, body, properties = {}) => {
    channel.publish(exchange, routingKey, Buffer.from(body), { persistent: true, ...properties });
    await channel.waitForConfirms();
  };
  return {
    stack,
    exchange,
    queue,
    login: (role) => login(stack.gateway.url, `${role}@example.com`, role === "admin" ? "admin-password" : undefined),
    publishRaw,
    async publishLegacyStart(batchId, messageId = randomUUID()) {
      await publishRaw("batch.status.changed", JSON.stringify({ batch_id: batchId, old_status: "PLANNED", new_status: "IN_PROGRESS" }), { messageId });
      return messageId;
    },
    async messageCount(name) {
      return (await channel.checkQueue(name)).messageCount;
    },
    lastEventId: (batchId) =>
      withClient(database.url, async (client) => {
        const { rows } = await client.query<{ id: string }>(
          "SELECT id FROM production.outbox_events WHERE $1::uuid IS NULL OR batch_id = $1::uuid ORDER BY sequence DESC LIMIT 1",
          [batchId ?? null],
        );
        if (!rows[0]) throw new Error(`no event in the log${batchId ? ` for batch ${batchId}` : ""}`);
        return rows[0].id;
      }),
    async close() {
      await stack.stop();
      await channel.deleteExchange(exchange).catch(() => undefined);
      await connection.close();
      await database.drop();
    },
  };
}
