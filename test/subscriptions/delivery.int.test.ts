import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readCounter } from "../support/graphql.js";
import { subscribe, untilDelivering } from "../support/subscriptions.js";
import { bearer, startedResult, STATUS_CHANGED, useSubscriptionStack } from "./batches.js";

/**
 * Events reach subscribers on the gateway's `ws://…/graphql` from every source (the GraphQL API,
 * the REST API, an external amqplib publisher), filtered, completed through the supergraph;
 * a malformed message is dead-lettered and the consumer goes on.
 */
const world = useSubscriptionStack();

describe("batchStatusChanged through the gateway", () => {
  it("delivers a change made through the GraphQL API, changedBy resolved by the user subgraph", async () => {
    const batch = await world.createBatch();
    // From the batch's creation on: the change is replayed or delivered live, whenever the subscription is up.
    const after = await world.fixture.lastEventId(batch.id);
    const sub = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: batch.id, after });
    await world.changeStatus(batch.id, "IN_PROGRESS", world.tokens.production, "Line 3 ready");
    const [result] = await sub.waitFor(1);
    expect(result).toEqual(startedResult(batch, { reason: "Line 3 ready" }));
    await sub.close();
  });

  it("delivers a legacy bare payload an external publisher sends, with its messageId as event id", async () => {
    const batch = await world.createBatch();
    const after = await world.fixture.lastEventId(batch.id);
    // Legacy events are checked against the records: the change they report must be in the audit trail.
    await world.changeStatus(batch.id, "IN_PROGRESS");
    // Legacy events are not in the event log, so only a live subscription gets them. The replayed
    // change proves it live: the replay is read once live delivery has started.
    const delivered = () => readCounter(world.fixture.stack.production.url, "event_delivery_latency_seconds_count");
    const deliveredBefore = await delivered();
    const sub = subscribe(world.gateway, { token: world.tokens.viewer }, STATUS_CHANGED, { batchId: batch.id, after });
    const [replayed] = await sub.waitFor(1);
    const messageId = randomUUID();
    const legacy = { batch_id: batch.id, old_status: "PLANNED", new_status: "IN_PROGRESS", changed_by: world.productionUserId };
    await world.fixture.publishRaw("batch.status.changed", JSON.stringify(legacy), { messageId });
    // The same message again, as at-least-once delivery may bring it: the subscriber sees it once.
    await world.fixture.publishRaw("batch.status.changed", JSON.stringify(legacy), { messageId });
    const [, result] = await sub.waitFor(2);
    expect(result!.data!.batchStatusChanged).toEqual({
      eventId: messageId,
      oldStatus: "PLANNED",
      newStatus: "IN_PROGRESS",
      reason: null,
      changedBy: { email: "production@example.com", name: "Pat Production" },
      batch: { id: batch.id, batchNumber: batch.batchNumber, status: "IN_PROGRESS" },
    });
    // A later change arrives next: the duplicate, published before it, was not delivered.
    await world.changeStatus(batch.id, "QA_HOLD");
    await sub.waitFor(3);
    expect(sub.results.map((r) => r.data!.batchStatusChanged.eventId)).toEqual([replayed!.data!.batchStatusChanged.eventId, messageId, expect.any(String)]);
    expect(sub.results[2]!.data!.batchStatusChanged.newStatus).toBe("QA_HOLD");
    // Its latency measured for the two live events only, not for the replayed one.
    expect(await delivered()).toBe(deliveredBefore + 2);
    await sub.close();
  });

  it("delivers a change made through the legacy REST API on the gateway", async () => {
    const batch = await world.createBatch();
    const after = await world.fixture.lastEventId(batch.id);
    const sub = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: batch.id, after });
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
    const after = await world.fixture.lastEventId(b.id);
    const onlyA = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: a.id, after });
    const onlyHold = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { statuses: ["QA_HOLD"], batchId: null, after });
    await world.changeStatus(b.id, "IN_PROGRESS");
    await world.changeStatus(a.id, "IN_PROGRESS");
    await world.changeStatus(b.id, "QA_HOLD");
    await world.changeStatus(a.id, "QA_HOLD");
    // One more change each subscription matches, last: whatever else they had matched came before it.
    const c = await world.createBatch();
    await world.changeStatus(c.id, "IN_PROGRESS");
    await world.changeStatus(c.id, "QA_HOLD");
    await world.changeStatus(a.id, "IN_PROGRESS", world.tokens.qa, "rework");
    await onlyA.waitFor(3);
    await onlyHold.waitFor(3);
    expect(onlyA.results[2]!.data!.batchStatusChanged).toMatchObject({ newStatus: "IN_PROGRESS", reason: "rework" });
    expect(onlyHold.results[2]!.data!.batchStatusChanged.batch.id).toBe(c.id);
    expect(onlyA.results.slice(0, 2).map((r) => [r.data!.batchStatusChanged.batch.id, r.data!.batchStatusChanged.newStatus])).toEqual([
      [a.id, "IN_PROGRESS"],
      [a.id, "QA_HOLD"],
    ]);
    expect(onlyHold.results.slice(0, 2).map((r) => [r.data!.batchStatusChanged.batch.id, r.data!.batchStatusChanged.newStatus])).toEqual([
      [b.id, "QA_HOLD"],
      [a.id, "QA_HOLD"],
    ]);
    await Promise.all([onlyA.close(), onlyHold.close()]);
  });
  it("serves another Subscription field the same way (batchCreated, createdBy from the user subgraph)", async () => {
    const sub = subscribe(world.gateway, bearer(world.tokens.viewer), `subscription { batchCreated { id createdBy { email } } }`);
    await untilDelivering(sub, () => world.createBatch());
    const batch = await world.createBatch();
    await expect.poll(() => sub.results.map((r) => r.data!.batchCreated.id)).toContain(batch.id);
    expect(sub.results.find((r) => r.data!.batchCreated.id === batch.id)).toEqual({
      data: { batchCreated: { id: batch.id, createdBy: { email: "production@example.com" } } },
    });
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
    const after = await world.fixture.lastEventId(batch.id);
    const sub = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: batch.id, after });
    await world.changeStatus(batch.id, "IN_PROGRESS");
    await sub.waitFor(1);
    await sub.close();
  });
});
