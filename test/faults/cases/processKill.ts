import { URL } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { CHANGE_STATUS } from "../../../subgraphs/production/test/operations.js";
import { graphql } from "../../support/graphql.js";
import { startService, type RunningService } from "../../support/services.js";
import { subscribe, type TestSubscription } from "../../support/subscriptions.js";
import { bearer, STATUS_CHANGED } from "../../subscriptions/batches.js";
import { exactlyOnce } from "../support/changes.js";
import { BATCHES, outcome, subscribers } from "../support/checks.js";
import { until } from "../../support/until.js";
import { signalAndWait } from "../support/processes.js";
import type { FaultWorld } from "../support/world.js";

const portOf = (url: string) => new URL(url).port;

/** Kills a service of the stack with SIGKILL and waits until the process is gone. */
const kill = (service: RunningService) => signalAndWait(service.process, "SIGKILL");

/**
 * Processes killed with SIGKILL: a subgraph in the middle of a mutation (the client gets an
 * error, the change is written whole or not at all), and the gateway under subscribers (they come back
 * with `after` and miss nothing, get nothing twice). Last of the cases: the stack runs on
 * restarted processes afterwards.
 */
export function processKillCases(world: FaultWorld): void {
  const restarted: RunningService[] = [];
  afterAll(() => Promise.all(restarted.map((service) => service.stop())));

  describe("a subgraph killed during a mutation", () => {
    it("answers the client with an error and leaves all of the change or none of it: status, audit row and event together", async () => {
      const { stack } = world.fixture;
      const batch = await world.actors.createBatch();
      const db = new pg.Client({ connectionString: stack.env.DATABASE_URL });
      await db.connect();
      const counts = async () => {
        const { rows } = await db.query(
          `SELECT (SELECT status FROM production.batches WHERE id = $1) AS status,
                  (SELECT count(*)::int FROM production.batch_status_changes WHERE batch_id = $1) AS audit,
                  (SELECT count(*)::int FROM production.outbox_events WHERE batch_id = $1) AS events`,
          [batch.id],
        );
        return rows[0] as { status: string; audit: number; events: number };
      };
      try {
        const before = await counts();
        // The test holds the batch's row: the mutation's transaction waits on it, begun and unfinished.
        await db.query("BEGIN");
        await db.query("SELECT 1 FROM production.batches WHERE id = $1 FOR UPDATE", [batch.id]);
        const mutation = graphql(world.actors.gateway, CHANGE_STATUS, { id: batch.id, status: "IN_PROGRESS" }, world.actors.tokens.production);
        await until("the mutation waits on the row", async () => {
          const { rows } = await db.query("SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted");
          return rows[0].waiting > 0;
        });
        await kill(stack.production);
        await db.query("ROLLBACK");
        const answer = await mutation;
        expect(answer.data?.changeBatchStatus ?? null).toBeNull();
        expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(["SERVICE_UNAVAILABLE"]);
        // The change is one statement: the killed process's statement, already sent, either ran
        // whole once the row was free or not at all. Once no statement of it is still running,
        // the batch holds all of the change or none of it, never a part.
        await until("the killed process's statement is over", async () => {
          const { rows } = await db.query(
            "SELECT count(*)::int AS running FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()",
          );
          return rows[0].running === 0;
        });
        const whole = { status: "IN_PROGRESS", audit: before.audit + 1, events: before.events + 1 };
        const after = await counts();
        expect([before, whole]).toContainEqual(after);

        // Back on its port, the change (made again if it was not) goes through whole.
        const production = await startService("production", { ...stack.env, PRODUCTION_PORT: portOf(stack.production.url) });
        restarted.push(production);
        await until("production answers through the gateway", async () => (await outcome(world.actors.gateway, BATCHES, world.actors.tokens.viewer)) === "OK");
        if (after.status === "PLANNED") await world.actors.changeStatus(batch.id, "IN_PROGRESS");
        expect(await counts()).toEqual(whole);
      } finally {
        await db.end();
      }
    });
  });

  describe("the gateway killed under subscribers", () => {
    it("lets every client resume with after: the events made while it was down arrive once, in order, then live ones", async () => {
      const { stack } = world.fixture;
      const production = restarted[0]?.url ?? stack.production.url;
      const batch = await world.actors.createBatch();
      const clients = Array.from({ length: 5 }, () =>
        subscribe(world.actors.gateway, bearer(world.actors.tokens.viewer), STATUS_CHANGED, { batchId: batch.id }),
      );
      await Promise.all(clients.map((c) => c.connected));
      await subscribers(world.redis.url, world.channel);
      await world.actors.changeStatus(batch.id, "IN_PROGRESS");
      await Promise.all(clients.map((c) => c.waitFor(1)));
      const lastSeen = clients.map((c) => c.results.at(-1)!.data!.batchStatusChanged.eventId as string);

      await kill(stack.gateway);
      await Promise.all(clients.map((c) => c.closed));
      // Changes made while the gateway is away, on the production subgraph's own port.
      const missed = ["QA_HOLD", "IN_PROGRESS", "QA_HOLD"];
      for (const [i, status] of missed.entries()) {
        const token = status === "IN_PROGRESS" ? world.actors.tokens.qa : world.actors.tokens.production;
        const result = await graphql(production, CHANGE_STATUS, { id: batch.id, status, reason: status === "IN_PROGRESS" ? `rework ${i}` : null }, token);
        expect(result.errors).toBeUndefined();
      }

      const gateway = await startService("gateway", {
        ...stack.env,
        GATEWAY_PORT: portOf(stack.gateway.url),
        USER_URL: stack.user.url,
        PRODUCTION_URL: production,
      });
      restarted.push(gateway);
      const resumed: TestSubscription[] = clients.map((_, i) =>
        subscribe(gateway.url, bearer(world.actors.tokens.viewer), STATUS_CHANGED, { batchId: batch.id, after: lastSeen[i] }),
      );
      await Promise.all(resumed.map((c) => c.waitFor(missed.length, 30_000)));
      await world.actors.changeStatus(batch.id, "IN_PROGRESS", world.actors.tokens.qa, "live again");
      for (const client of resumed) expect(exactlyOnce(await client.waitFor(missed.length + 1, 30_000))).toEqual([...missed, "IN_PROGRESS"]);
      await Promise.all([...clients, ...resumed].map((c) => c.close()));
    });
  });
}
