import { describe, expect, it } from "vitest";
import { exactlyOnce, reworkCycles, watchedBatch } from "../support/changes.js";
import { metric, readiness } from "../support/checks.js";
import { until } from "../support/freePort.js";
import type { FaultWorld } from "../support/world.js";

/**
 * RabbitMQ taken away from the stack (a proxy cut: the shared node is never restarted) while
 * batches change: the writes go on into the outbox, production stays ready and says the
 * broker is degraded, auth and user do not care, and once the broker is back every event
 * reaches the subscriber exactly once (the backlog may arrive in another order).
 */
export function brokerCases(world: FaultWorld): void {
  describe("the broker away and back", () => {
    it("keeps taking writes and serving, reports the broker degraded, and delivers every event once after", async () => {
      const { stack } = world.fixture;
      const { batch, sub } = await watchedBatch(world);

      world.broker.cut();
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
      const during = await reworkCycles(world.actors, batch.id, 10);
      world.broker.restore();
      await until("production reports RabbitMQ back", async () => (await readiness(stack.production.url)).body.status === "ready");
      await sub.waitFor(11, 30_000);
      // One more change after the backlog: anything delivered twice would have come before it.
      await world.actors.changeStatus(batch.id, "QA_HOLD");
      const results = await sub.waitFor(12, 30_000);
      expect(exactlyOnce(results).sort()).toEqual(["IN_PROGRESS", ...during, "QA_HOLD"].sort());
      await sub.close();
    });
  });
}
