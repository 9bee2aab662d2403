import { Counter, Gauge, type Registry } from "prom-client";

/**
 * The figures of a graphql-ws server on `/metrics`: open connections, open subscriptions and
 * connections refused for want of a valid token.
 */
export function webSocketMetrics(registry: Registry, connections: () => number) {
  let subscriptions = 0;
  new Gauge({
    name: "graphql_ws_connections",
    help: "WebSocket connections open on this service",
    registers: [registry],
    collect() {
      this.set(connections());
    },
  });
  new Gauge({
    name: "graphql_subscriptions_active",
    help: "Client subscriptions open on this service",
    registers: [registry],
    collect() {
      this.set(subscriptions);
    },
  });
  const refused = new Counter({
    name: "graphql_subscription_connections_refused_total",
    help: "WebSocket connections closed for want of a valid token",
    registers: [registry],
  });
  return {
    started: () => void (subscriptions += 1),
    ended: () => void (subscriptions -= 1),
    refused: () => refused.inc(),
  };
}
