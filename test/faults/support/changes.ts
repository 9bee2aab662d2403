import { expect } from "vitest";
import type { Actors } from "../../subscriptions/batches.js";

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
