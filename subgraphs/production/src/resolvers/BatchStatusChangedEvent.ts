import type { BatchStatusChangedEventResolvers } from "../__generated__/resolvers-types.js";
import type { BatchStatus } from "../__generated__/resolvers-types.js";
import { batchOf } from "./Subscription.js";

/** Read from the event's snake_case `data` (EVENTS.md); legacy payloads may lack the optional ones. */
export const BatchStatusChangedEvent: BatchStatusChangedEventResolvers = {
  eventId: (event) => event.id,
  batch: (event, _args, ctx) => batchOf(event, ctx),
  oldStatus: (event) => (event.data.old_status as BatchStatus | undefined) ?? null,
  newStatus: (event) => event.data.new_status as BatchStatus,
  reason: (event) => (event.data.reason as string | undefined) ?? null,
  // A reference: the gateway asks the user subgraph for the rest. None when the event names no user.
  changedBy: (event) => (typeof event.data.changed_by === "string" && event.data.changed_by !== "" ? { id: event.data.changed_by } : null),
  occurredAt: (event) => new Date(event.occurredAt),
};
