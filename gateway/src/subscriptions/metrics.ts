import { Counter, Gauge, type Registry } from "prom-client";
import type { SharedSubscriptions } from "./shared.js";

/** The gateway's subscription figures on `/metrics`. */
export function subscriptionMetrics(registry: Registry, shared: SharedSubscriptions, connections: () => number) {
  let subscribers = 0;
  new Gauge({
    name: "graphql_ws_connections",
    help: "WebSocket connections open on this gateway",
    registers: [registry],
    collect() {
      this.set(connections());
    },
  });
  new Gauge({
    name: "graphql_subscriptions_active",
    help: "Client subscriptions open on this gateway",
    registers: [registry],
    collect() {
      this.set(subscribers);
    },
  });
  new Gauge({
    name: "graphql_subscription_upstreams",
    help: "Upstream subscriptions to subgraphs, each shared by the clients with the same token, operation and variables",
    registers: [registry],
    collect() {
      this.set(shared.upstreamCount);
    },
  });
  const refused = new Counter({ name: "graphql_subscription_connections_refused_total", help: "WebSocket connections closed for want of a valid token", registers: [registry] });
  return {
    started: () => void (subscribers += 1),
    ended: () => void (subscribers -= 1),
    refused: () => refused.inc(),
  };
}
