import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { subscribe } from "../support/subscriptions.js";
import { bearer, STATUS_CHANGED, useSubscriptionStack } from "./batches.js";

/**
 * A client that lost its connection resumes with `after` and misses nothing: the production
 * event log is replayed, then live events follow, in order and without duplicates.
 */
const world = useSubscriptionStack();

describe("resuming with after", () => {
  it("refuses an after that names no event of the log, with the subgraph's error", async () => {
    const unknown = randomUUID();
    const sub = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { after: unknown });
    expect(await sub.ended).toEqual({ completed: true });
    expect(sub.results).toEqual([
      { errors: [{ message: `after: no event ${unknown} in the event log`, path: ["batchStatusChanged"], extensions: { code: "NOT_FOUND", field: "after" } }] },
    ]);
  });

  it("replays the 100 events missed while disconnected, in order, then goes on live, without duplicates", async () => {
    const batch = await world.createBatch();
    const created = await world.fixture.lastEventId(batch.id);
    const first = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: batch.id, after: created });
    await world.changeStatus(batch.id, "IN_PROGRESS");
    const [seen] = await first.waitFor(1);
    await first.close();

    // 100 changes while the client is away: QA_HOLD and back to IN_PROGRESS (rework), 50 times.
    const expected: string[] = [];
    for (let i = 0; i < 50; i++) {
      await world.changeStatus(batch.id, "QA_HOLD");
      await world.changeStatus(batch.id, "IN_PROGRESS", world.tokens.qa, `rework ${i}`);
      expected.push("QA_HOLD", "IN_PROGRESS");
    }
    const resumed = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: batch.id, after: seen!.data!.batchStatusChanged.eventId });
    await resumed.waitFor(100);
    await world.changeStatus(batch.id, "QA_HOLD");
    expected.push("QA_HOLD");
    await resumed.waitFor(101);
    // One more change, last: a duplicate of any before would have come before it.
    await world.changeStatus(batch.id, "IN_PROGRESS", world.tokens.qa, "last");
    await resumed.waitFor(102);
    expect(resumed.results[101]!.data!.batchStatusChanged).toMatchObject({ newStatus: "IN_PROGRESS", reason: "last" });
    const events = resumed.results.slice(0, 101).map((r) => r.data!.batchStatusChanged);
    expect(events.map((e) => e.newStatus)).toEqual(expected);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(101);
    expect(events.slice(0, 100).every((e, i) => e.reason === (i % 2 === 1 ? `rework ${(i - 1) / 2}` : null))).toBe(true);
    await resumed.close();
  });
});
