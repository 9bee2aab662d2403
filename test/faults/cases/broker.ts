import { describe, expect, it } from "vitest";
import { exactlyOnce, reworkCycles, watchedBatch } from "../support/changes.js";
import { metric, readiness } from "../support/checks.js";
import { until } from "../../support/until.js";
import type { FaultWorld } from "../support/world.js";
import { QA_OPERATIONS, qaClient } from "../../support/qaFlow.js";

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

  describe("a QA decision signed while the broker is away", () => {
    it("is kept in the QA outbox, and the batch ends RELEASED exactly once after the broker is back", async () => {
      const { stack } = world.fixture;
      const qa = qaClient(stack.gateway.url, stack.env.DATABASE_URL!, { production: world.actors.tokens.production });
      const signer = await qa.newUser(["QA"], "Quinn Outage");
      const product = await qa.newProduct(signer.token);
      const batch = await qa.newBatch(product, "QA_HOLD");
      await qa.recordPassing(signer.token, batch.id);

      world.broker.cut();
      await until("qa reports RabbitMQ degraded", async () => (await readiness(stack.qa.url)).body.degraded?.includes("rabbitmq"));
      const signed = await qa.call(
        QA_OPERATIONS.releaseBatch,
        { batchId: batch.id, signature: { password: signer.password, meaning: "approved for release" } },
        signer.token,
      );
      expect(signed.errors).toBeUndefined();
      const decisionId = signed.data!.releaseBatch.id as string;
      // The decision waits in the QA outbox: production has not moved the batch.
      await until("the decision waits in the QA outbox", async () => ((await metric(stack.qa.url, "outbox_backlog")) ?? 0) > 0);
      const held = await qa.call(QA_OPERATIONS.batchQa, { id: batch.id }, signer.token);
      expect(held.data!.batch).toMatchObject({ status: "QA_HOLD", releaseDecision: { decision: "RELEASED" } });

      world.broker.restore();
      const read = await until(
        "production follows the decision once the broker is back",
        async () => {
          const now = await qa.call(QA_OPERATIONS.batchQa, { id: batch.id }, signer.token);
          return now.data?.batch.status === "RELEASED" ? now.data.batch : undefined;
        },
        60_000,
      );
      const releases = read.history.filter((change: { toStatus: string }) => change.toStatus === "RELEASED");
      expect(releases).toEqual([
        {
          fromStatus: "QA_HOLD",
          toStatus: "RELEASED",
          reason: `QA decision ${decisionId}: approved for release`,
          changedBy: { id: signer.id, name: "Quinn Outage" },
        },
      ]);
      expect(read.releaseDecision).toMatchObject({ decision: "RELEASED", signedBy: { name: "Quinn Outage" } });
      await until("the QA outbox is empty", async () => (await metric(stack.qa.url, "outbox_backlog")) === 0);
      await qa.close();
    });
  });
}
