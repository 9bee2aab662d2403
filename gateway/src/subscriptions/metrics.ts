import { Counter, Gauge, type Registry } from "prom-client";
import type { SharedSubscriptions } from "./shared.js";

/**
 * The gateway's own subscription figures on `/metrics`, besides the connections and
 * subscriptions every graphql-ws server counts (`lib/server/wsMetrics.ts`).
 */
export function upstreamMetrics(registry: Registry, shared: SharedSubscriptions) {
  new Gauge({
    name: "graphql_subscription_upstreams",
    help: "Upstream subscriptions to subgraphs, each shared by the subscribers with the same operation, variables and scopes",
    registers: [registry],
    collect() {
      this.set(shared.upstreamCount);
    },
  });
  const slow = new Counter({
    name: "graphql_subscription_slow_closes_total",
    help: "Client WebSockets closed with 4008 because a subscriber left more than SUBSCRIPTION_BUFFER results unread",
    registers: [registry],
  });
  return { tooSlow: () => slow.inc() };
}
