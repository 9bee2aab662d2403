import { expect } from "vitest";
import { subscribe, type TestSubscription } from "../../support/subscriptions.js";
import { bearer, STATUS_CHANGED, type Actors } from "../../subscriptions/batches.js";
import { subscribers } from "./checks.js";
import type { FaultWorld } from "./world.js";

/**
 * A new batch and a viewer's subscription to its status changes through the gateway, live end
 * to end (production listens on the Redis channel), that has received one change: to IN_PROGRESS.
 * Where each fault case starts, so that what it sees after the fault is the fault's doing.
 */
export async function watchedBatch(world: FaultWorld): Promise<{ batch: { id: string }; sub: TestSubscription }> {
  const batch = await world.actors.createBatch();
  const sub = subscribe(world.actors.gateway, bearer(world.actors.tokens.viewer), STATUS_CHANGED, { batchId: batch.id });
  await sub.connected;
  await subscribers(world.redis.url, world.channel);
  await world.actors.changeStatus(batch.id, "IN_PROGRESS");
  await sub.waitFor(1);
  return { batch, sub };
}

/**
 * Makes `count` status changes of a batch that is IN_PROGRESS, alternating QA_HOLD and back
 * (rework), each committed (the mutation answered without errors). Returns the statuses in order.
 */
export async function reworkCycles(actors: Actors, batchId: string, count: number): Promise<string[]> {
  const statuses: string[] = [];
  for (let i = 0; i < count; i++) {
    const status = i % 2 === 0 ? "QA_HOLD" : "IN_PROGRESS";
    await actors.changeStatus(batchId, status, status === "QA_HOLD" ? undefined : actors.tokens.qa, status === "QA_HOLD" ? undefined : `rework ${i}`);
    statuses.push(status);
  }
  return statuses;
}

/** Each event's new status, asserting every event id arrived once. */
export function exactlyOnce(results: Array<{ data?: Record<string, any> | null }>): string[] {
  const events = results.map((r) => r.data!.batchStatusChanged as { eventId: string; newStatus: string });
  expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  return events.map((e) => e.newStatus);
}
