import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBackingServices } from "../../lib/config.js";
import { graphql } from "../support/graphql.js";
import { subscribe } from "../support/subscriptions.js";
import { bearer, signInActors, STATUS_CHANGED, type Actors } from "../subscriptions/batches.js";
import { startSubscriptionFixture, type SubscriptionFixture } from "../subscriptions/fixture.js";
import { exactlyOnce, reworkCycles } from "./support/changes.js";
import { BATCHES, outcome, PATIENT, readiness, subscribers } from "./support/checks.js";
import { until } from "./support/freePort.js";
import { startPrivatePostgres, type PrivatePostgres } from "./support/postgresServer.js";

/**
 * PostgreSQL restarted under the stack (a private server: initdb on a free port). While it is
 * away, requests that need it are SERVICE_UNAVAILABLE naming it and the subgraphs are not
 * ready; after, the pools reconnect, the outbox relay takes over again and no event is lost.
 */
let postgres: PrivatePostgres;
let fixture: SubscriptionFixture;
let actors: Actors;

beforeAll(async () => {
  postgres = await startPrivatePostgres();
  fixture = await startSubscriptionFixture({ database: { url: postgres.url, drop: async () => undefined }, env: PATIENT });
  actors = await signInActors(fixture);
});

afterAll(async () => {
  await fixture?.close();
  await postgres?.close();
});

describe("PostgreSQL restarted", () => {
  it("answers SERVICE_UNAVAILABLE naming PostgreSQL while it is down, then recovers and delivers every event once", async () => {
    const { stack } = fixture;
    const batch = await actors.createBatch();
    const sub = subscribe(actors.gateway, bearer(actors.tokens.viewer), STATUS_CHANGED, { batchId: batch.id });
    await sub.connected;
    await subscribers(readBackingServices().redisUrl, `${stack.env.REDIS_PREFIX}events:batch.status.changed`);
    await actors.changeStatus(batch.id, "IN_PROGRESS");
    await sub.waitFor(1);

    await postgres.stop();
    try {
      const direct = await graphql(stack.production.url, BATCHES, {}, actors.tokens.viewer);
      expect(direct.errors).toEqual([
        { message: "PostgreSQL is unavailable; try again shortly", path: ["batches"], extensions: { code: "SERVICE_UNAVAILABLE", dependency: "postgresql" } },
      ]);
      const viaGateway = await graphql(actors.gateway, BATCHES, {}, actors.tokens.viewer);
      expect(viaGateway.errors?.map((e) => e.extensions?.code)).toEqual(["SERVICE_UNAVAILABLE"]);
      const rest = await fetch(`${actors.gateway}/api/batches`, { headers: { authorization: `Bearer ${actors.tokens.viewer}` } });
      expect(rest.status).toBe(503);
      for (const service of [stack.auth, stack.user, stack.production]) {
        const report = await readiness(service.url);
        expect(report.status).toBe(503);
        expect(report.body.checks.postgresql).not.toBe("ok");
      }
    } finally {
      await postgres.start();
    }

    await until("production answers again", async () => (await outcome(stack.production.url, BATCHES, actors.tokens.viewer)) === "OK");
    for (const service of [stack.auth, stack.user, stack.production]) {
      await until(`${service.name} ready again`, async () => (await readiness(service.url)).status === 200);
    }
    const after = await reworkCycles(actors, batch.id, 4);
    const results = await sub.waitFor(5, 30_000);
    expect(exactlyOnce(results)).toEqual(["IN_PROGRESS", ...after]);
    await sub.close();
  });
});
