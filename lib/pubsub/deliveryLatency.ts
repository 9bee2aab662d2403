import { Histogram, type Registry } from "prom-client";
import type { EventEnvelope } from "../events/envelope.js";
import { registered } from "../server/operationMetrics.js";

/** From 1 ms (Redis on the same host) to 30 s (a relay that waited for the broker). */
export const DELIVERY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Records one live event handed to a subscriber. */
export type DeliveryObserver = (event: EventEnvelope) => void;

/**
 * `event_delivery_latency_seconds{type}`: from the event's `occurredAt` (its outbox row,
 * written in the transaction of the change) to its delivery to a GraphQL subscriber, once per
 * subscriber. Only live events: those replayed with `after` are old on purpose and not counted.
 * An `occurredAt` in the future of this host (clock skew) counts as 0.
 */
export function deliveryLatency(registry: Registry, now: () => number = Date.now): DeliveryObserver {
  const histogram = registered(
    registry,
    "event_delivery_latency_seconds",
    () =>
      new Histogram({
        name: "event_delivery_latency_seconds",
        help: "Time from an event's outbox write (occurredAt) to its delivery to a GraphQL subscriber, by type; live events only, replays (after) are not counted",
        labelNames: ["type"],
        buckets: DELIVERY_BUCKETS,
        registers: [registry],
      }),
  );
  return (event) => {
    const occurred = Date.parse(event.occurredAt);
    if (Number.isNaN(occurred)) return;
    histogram.observe({ type: event.type }, Math.max(0, now() - occurred) / 1000);
  };
}
