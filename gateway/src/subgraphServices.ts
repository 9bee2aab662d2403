import type { Logger } from "#lib/logger.js";
import { subgraphCallSettings, type GatewayConfig } from "#lib/config.js";
import { Counter, type Registry } from "prom-client";
import { registered } from "#lib/server/operationMetrics.js";
import { httpCheck, type ReadinessCheck } from "#lib/server/readiness.js";
import { subgraphUrl } from "./config.js";
import { ForwardingDataSource } from "./dataSource.js";
import { InflightQueries } from "./inflightQueries.js";
import { createSubgraphClient, type SubgraphAnswer, type SubgraphClient } from "./subgraphClient.js";

/**
 * The data sources `ApolloGateway` calls the subgraphs through (its `buildService`): one
 * connection pool and one circuit per subgraph URL, kept across supergraph reloads, and one
 * table of queries in flight shared by all; and the readiness check of every subgraph the
 * supergraph names (its `/health`).
 */
export function subgraphServices(config: GatewayConfig, metrics: Registry, logger: Logger) {
  const health = new Map<string, ReadinessCheck>();
  const clients = new Map<string, SubgraphClient>();
  const inflight = new InflightQueries<SubgraphAnswer>();
  const deduplicated = registered(
    metrics,
    "subgraph_requests_deduplicated_total",
    () =>
      new Counter({
        name: "subgraph_requests_deduplicated_total",
        help: "Subgraph queries not sent because an identical one (same subgraph, body and caller) was in flight",
        labelNames: ["subgraph"],
        registers: [metrics],
      }),
  );
  return {
    buildService({ name, url }: { name: string; url?: string }) {
      const target = subgraphUrl(name, url, config.subgraphUrls);
      const key = `${name} ${target}`;
      let client = clients.get(key);
      if (!client) {
        client = createSubgraphClient(name, target, subgraphCallSettings(config, name), metrics, logger);
        clients.set(key, client);
      }
      health.set(name, httpCheck(new URL("/health", target).toString()));
      return new ForwardingDataSource({ client, inflight, deduplicated });
    },
    /** Every subgraph answers its `/health`; the error names the first that does not. */
    ready: () => Promise.all([...health].map(([name, check]) => check().catch((err: Error) => Promise.reject(new Error(`${name}: ${err.message}`))))),
    close: async () => {
      await Promise.allSettled([...clients.values()].map(({ close }) => close()));
    },
  };
}
