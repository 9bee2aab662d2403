import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readCounter } from "../support/graphql.js";
import { settle, subscribe } from "../support/subscriptions.js";
import { bearer, STATUS_CHANGED, useSubscriptionStack } from "./batches.js";

/**
 * Events reach subscribers on the gateway's `ws://…/graphql` from every source (the GraphQL API,
 * the REST API, an external amqplib publisher), filtered, completed through the supergraph;
 * a malformed message is dead-lettered and the consumer goes on.
 */
const world = useSubscriptionStack();

describe("batchStatusChanged through the gateway", () => {
  it("delivers a change made through the GraphQL API, changedBy resolved by the user subgraph", async () => {
    const batch = await world.createBatch();
    const sub = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: batch.id });
    await settle();
    await world.changeStatus(batch.id, "IN_PROGRESS", world.tokens.production, "Line 3 ready");
    const [result] = await sub.waitFor(1);
    expect(result).toEqual({
      data: {
        batchStatusChanged: {
          eventId: expect.any(String),
          oldStatus: "PLANNED",
          newStatus: "IN_PROGRESS",
          reason: "Line 3 ready",
          changedBy: { email: "production@example.com", name: "Pat Production" },
          batch: { id: batch.id, batchNumber: batch.batchNumber, status: "IN_PROGRESS" },
        },
      },
    });
    await sub.close();
  });

  it("delivers a legacy bare payload an external publisher sends, with its messageId as event id", async () => {
    const batch = await world.createBatch();
    // Legacy events are checked against the records: the change they report must be in the audit trail.
    const own = subscribe(world.gateway, { token: world.tokens.viewer }, STATUS_CHANGED, { batchId: batch.id });
    await settle();
    await world.changeStatus(batch.id, "IN_PROGRESS");
    await own.waitFor(1);
    await own.close();
    const sub = subscribe(world.gateway, { token: world.tokens.viewer }, STATUS_CHANGED, { batchId: batch.id });
    await settle();
    const messageId = randomUUID();
    const legacy = { batch_id: batch.id, old_status: "PLANNED", new_status: "IN_PROGRESS", changed_by: world.productionUserId };
    await world.fixture.publishRaw("batch.status.changed", JSON.stringify(legacy), { messageId });
    // The same message again, as at-least-once delivery may bring it: the subscriber sees it once.
    await world.fixture.publishRaw("batch.status.changed", JSON.stringify(legacy), { messageId });
    const [result] = await sub.waitFor(1);
    expect(result!.data!.batchStatusChanged).toEqual({
      eventId: messageId,
      oldStatus: "PLANNED",
      newStatus: "IN_PROGRESS",
      reason: null,
      changedBy: { email: "production@example.com", name: "Pat Production" },
      batch: { id: batch.id, batchNumber: batch.batchNumber, status: "IN_PROGRESS" },
    });
    await settle(1_000);
    expect(sub.results).toHaveLength(1);
    await sub.close();
  });

  it("delivers a change made through the legacy REST API on the gateway", async () => {
    const batch = await world.createBatch();
    const sub = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: batch.id });
    await settle();
    const response = await fetch(`${world.gateway}/api/batches/${batch.id}`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `Bearer ${world.tokens.production}` },
      body: JSON.stringify({ status: "IN_PROGRESS", reason: "from REST" }),
    });
    expect(response.status).toBe(200);
    const [result] = await sub.waitFor(1);
    expect(result!.data!.batchStatusChanged).toMatchObject({
      newStatus: "IN_PROGRESS",
      reason: "from REST",
      changedBy: { email: "production@example.com" },
    });
    await sub.close();
  });

  it("filters by batchId and statuses", async () => {
    const [a, b] = [await world.createBatch(), await world.createBatch()];
    const onlyA = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: a.id });
    const onlyHold = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { statuses: ["QA_HOLD"], batchId: null });
    await settle();
    await world.changeStatus(b.id, "IN_PROGRESS");
    await world.changeStatus(a.id, "IN_PROGRESS");
    await world.changeStatus(b.id, "QA_HOLD");
    await world.changeStatus(a.id, "QA_HOLD");
    await onlyA.waitFor(2);
    await onlyHold.waitFor(2);
    await settle(1_000);
    expect(onlyA.results.map((r) => [r.data!.batchStatusChanged.batch.id, r.data!.batchStatusChanged.newStatus])).toEqual([
      [a.id, "IN_PROGRESS"],
      [a.id, "QA_HOLD"],
    ]);
    expect(onlyHold.results.map((r) => [r.data!.batchStatusChanged.batch.id, r.data!.batchStatusChanged.newStatus])).toEqual([
      [b.id, "QA_HOLD"],
      [a.id, "QA_HOLD"],
    ]);
    await Promise.all([onlyA.close(), onlyHold.close()]);
  });
  it("serves another Subscription field the same way (batchCreated, createdBy from the user subgraph)", async () => {
    const sub = subscribe(world.gateway, bearer(world.tokens.viewer), `subscription { batchCreated { id createdBy { email } } }`);
    await settle();
    const batch = await world.createBatch();
    const results = await sub.waitFor(1);
    expect(results).toEqual([{ data: { batchCreated: { id: batch.id, createdBy: { email: "production@example.com" } } } }]);
    await sub.close();
  });
});

describe("the consumer", () => {
  it("dead-letters a malformed message, counts it, and goes on", async () => {
    const before = await readCounter(world.fixture.stack.production.url, "events_dead_lettered_total");
    await world.fixture.publishRaw("batch.status.changed", "{ not json");
    await expect.poll(() => world.fixture.messageCount(`${world.fixture.queue}.dlq`), { timeout: 10_000 }).toBe(1);
    // Counted once the broker confirmed the dead letter, a moment after it is in the queue.
    await expect.poll(() => readCounter(world.fixture.stack.production.url, "events_dead_lettered_total")).toBe(before + 1);

    const batch = await world.createBatch();
    const sub = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: batch.id });
    await settle();
    await world.changeStatus(batch.id, "IN_PROGRESS");
    await sub.waitFor(1);
    await sub.close();
  });
});
