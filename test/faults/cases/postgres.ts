import { describe, expect, it } from "vitest";
import { graphql } from "../../support/graphql.js";
import { exactlyOnce, reworkCycles, watchedBatch } from "../support/changes.js";
import { BATCHES, outcome, readiness } from "../support/checks.js";
import { until } from "../../support/until.js";
import type { FaultWorld } from "../support/world.js";

/**
 * PostgreSQL restarted under the stack (its own server: initdb on a free port). While it is
 * away, requests that need it are SERVICE_UNAVAILABLE naming it and the subgraphs are not
 * ready; after, the pools reconnect, the outbox relay takes over again and no event is lost.
 */
export function postgresCases(world: FaultWorld): void {
  describe("PostgreSQL restarted", () => {
    it("answers SERVICE_UNAVAILABLE naming PostgreSQL while it is down, then recovers and delivers every event once", async () => {
      const { stack } = world.fixture;
      const { batch, sub } = await watchedBatch(world);

      await world.postgres.stop();
      try {
        const direct = await graphql(stack.production.url, BATCHES, {}, world.actors.tokens.viewer);
        expect(direct.errors).toEqual([
          {
            message: "PostgreSQL is unavailable; try again shortly",
            locations: [{ line: 1, column: 3 }],
            path: ["batches"],
            extensions: { code: "SERVICE_UNAVAILABLE", dependency: "postgresql" },
          },
        ]);
        const viaGateway = await graphql(world.actors.gateway, BATCHES, {}, world.actors.tokens.viewer);
        expect(viaGateway.errors?.map((e) => e.extensions?.code)).toEqual(["SERVICE_UNAVAILABLE"]);
        const rest = await fetch(`${world.actors.gateway}/api/batches`, { headers: { authorization: `Bearer ${world.actors.tokens.viewer}` } });
        expect(rest.status).toBe(503);
        for (const service of [stack.auth, stack.user, stack.production]) {
          const report = await readiness(service.url);
          expect(report.status).toBe(503);
          expect(report.body.checks.postgresql).not.toBe("ok");
        }
      } finally {
        await world.postgres.start();
      }

      await until("production answers again", async () => (await outcome(stack.production.url, BATCHES, world.actors.tokens.viewer)) === "OK");
      for (const service of [stack.auth, stack.user, stack.production]) {
        await until(`${service.name} ready again`, async () => (await readiness(service.url)).status === 200);
      }
      const after = await reworkCycles(world.actors, batch.id, 4);
      const results = await sub.waitFor(5, 30_000);
      expect(exactlyOnce(results).sort()).toEqual(["IN_PROGRESS", ...after].sort());
      await sub.close();
    });
  });
}
