import { describe, expect, it } from "vitest";
import { readCounter } from "../support/graphql.js";
import { subscribe } from "../support/subscriptions.js";
import { bearer, STATUS_CHANGED, useSubscriptionStack } from "./batches.js";

/**
 * A shared upstream runs under a service token, which the production subgraph would close the
 * socket for when it expires: the gateway replaces the upstream before, make-before-break.
 * Service tokens live 30 s here, so the replacement comes within the test.
 */
const world = useSubscriptionStack({ env: { SERVICE_TOKEN_TTL: "30", AUTH_SUBGRAPH_TIMEOUT_MS: "20000" } });

const upstreamsAtProduction = () => readCounter(world.fixture.stack.production.url, "graphql_subscriptions_active");

describe("service token renewal", () => {
  it("replaces the upstream before its service token expires, without losing or doubling an event", async () => {
    const batch = await world.createBatch();
    const sub = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: batch.id });
    await expect.poll(() => readCounter(world.gateway, "graphql_subscription_upstreams"), { timeout: 20_000 }).toBe(1);
    await expect.poll(upstreamsAtProduction, { timeout: 20_000 }).toBe(1);
    await world.changeStatus(batch.id, "IN_PROGRESS");
    await sub.waitFor(1);

    // The replacement opens while the old upstream still runs.
    await expect.poll(upstreamsAtProduction, { timeout: 40_000, interval: 20 }).toBe(2);
    const messageId = await world.fixture.publishLegacyStart(batch.id);
    await expect.poll(upstreamsAtProduction, { timeout: 20_000 }).toBe(1);
    await world.changeStatus(batch.id, "QA_HOLD");

    // Results arrive in event order: a duplicate of the middle one would come before the last.
    const results = await sub.waitFor(3, 30_000);
    expect(results.map((r) => [r.errors, r.data!.batchStatusChanged.newStatus])).toEqual([
      [undefined, "IN_PROGRESS"],
      [undefined, "IN_PROGRESS"],
      [undefined, "QA_HOLD"],
    ]);
    expect(results[1]!.data!.batchStatusChanged.eventId).toBe(messageId);
    expect(sub.results).toHaveLength(3);
    await sub.close();
  });
});
