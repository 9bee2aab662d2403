import { Counter, Gauge, type Registry } from "prom-client";

/** What the outbox relay reports on `/metrics`. */
export interface RelayMetrics {
  published: Counter;
  failures: Counter;
  backlog: Gauge;
  active: Gauge;
}

/** Registers the relay's metrics on the service's registry. */
export function relayMetrics(registry: Registry): RelayMetrics {
  const registers = [registry];
  return {
    published: new Counter({ name: "outbox_events_published_total", help: "Outbox events published and confirmed by the broker", registers }),
    failures: new Counter({ name: "outbox_publish_failures_total", help: "Outbox events whose publish failed (retried later)", registers }),
    backlog: new Gauge({ name: "outbox_backlog", help: "Outbox events waiting to be published, as last seen by the active relay", registers }),
    active: new Gauge({ name: "outbox_relay_active", help: "1 while this instance is the active outbox relay, 0 while it stands by", registers }),
  };
}
