import { Gauge, type Registry } from "prom-client";
import type { SharedSubscriptions } from "./shared.js";

/**
 * The gateway's own subscription figure on `/metrics`, besides the connections and
 * subscriptions every graphql-ws server counts (`lib/server/wsMetrics.ts`).
 */
export function upstreamMetrics(registry: Registry, shared: SharedSubscriptions) {
  new Gauge({
    name: "graphql_subscription_upstreams",
    help: "Upstream subscriptions to subgraphs, each shared by the clients with the same token, operation and variables",
    registers: [registry],
    collect() {
      this.set(shared.upstreamCount);
    },
  });
}
