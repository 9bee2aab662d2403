import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBackingServices } from "../../lib/config.js";
import { subscribe } from "../support/subscriptions.js";
import { startTcpProxy, type TcpProxy } from "../support/tcpProxy.js";
import { bearer, signInActors, STATUS_CHANGED, type Actors } from "../subscriptions/batches.js";
import { startSubscriptionFixture, type SubscriptionFixture } from "../subscriptions/fixture.js";
import { exactlyOnce, reworkCycles } from "./support/changes.js";
import { metric, PATIENT, readiness, subscribers } from "./support/checks.js";
import { until } from "./support/freePort.js";

/**
 * RabbitMQ taken away from the stack (a proxy cut: the shared node is never restarted) while
 * batches change: the writes go on into the outbox, production stays ready and says the
 * broker is degraded, auth and user do not care, and once the broker is back every event
 * reaches the subscriber exactly once.
 */
let proxy: TcpProxy;
let fixture: SubscriptionFixture;
let actors: Actors;

beforeAll(async () => {
  const broker = new URL(readBackingServices().amqpUrl);
  proxy = await startTcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
  const viaProxy = new URL(broker);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  fixture = await startSubscriptionFixture({ env: { AMQP_URL: viaProxy.toString(), ...PATIENT } });
  actors = await signInActors(fixture);
});

afterAll(async () => {
  await fixture?.close();
  await proxy?.close();
});

describe("the broker away and back", () => {
  it("keeps taking writes and serving, reports the broker degraded, and delivers every event once after", async () => {
    const { stack } = fixture;
    const batch = await actors.createBatch();
    const sub = subscribe(actors.gateway, bearer(actors.tokens.viewer), STATUS_CHANGED, { batchId: batch.id });
    await sub.connected;
    await subscribers(readBackingServices().redisUrl, `${stack.env.REDIS_PREFIX}events:batch.status.changed`);
    await actors.changeStatus(batch.id, "IN_PROGRESS");
    await sub.waitFor(1);

    proxy.cut();
    const production = await until("production reports RabbitMQ degraded", async () => {
      const report = await readiness(stack.production.url);
      return report.body.degraded?.includes("rabbitmq") ? report : undefined;
    });
    expect(production.status).toBe(200);
    expect(production.body.status).toBe("degraded");
    expect(await metric(stack.production.url, "dependency_up", ['dependency="rabbitmq"'])).toBe(0);
    for (const service of [stack.auth, stack.user, stack.gateway]) {
      const report = await readiness(service.url);
      expect(report.status).toBe(200);
      expect(report.body.checks).not.toHaveProperty("rabbitmq");
    }

    // Every change is committed while the broker is away.
    const during = await reworkCycles(actors, batch.id, 10);
    proxy.restore();
    await until("production reports RabbitMQ back", async () => (await readiness(stack.production.url)).body.status === "ready");
    await sub.waitFor(11, 30_000);
    // One more change after the backlog: anything delivered twice would have come before it.
    await actors.changeStatus(batch.id, "QA_HOLD");
    const results = await sub.waitFor(12, 30_000);
    expect(exactlyOnce(results)).toEqual(["IN_PROGRESS", ...during, "QA_HOLD"]);
    await sub.close();
  });
});
