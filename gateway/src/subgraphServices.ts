import type { Logger } from "../../lib/logger.js";
import { subgraphCallSettings, type GatewayConfig } from "../../lib/config.js";
import type { Registry } from "prom-client";
import { httpCheck, type ReadinessCheck } from "../../lib/server/readiness.js";
import { subgraphUrl } from "./config.js";
import { ForwardingDataSource } from "./dataSource.js";
import { createSubgraphFetcher } from "./subgraphClient.js";

/**
 * The data sources `ApolloGateway` calls the subgraphs through (its `buildService`): one
 * connection pool and one circuit per subgraph URL, kept across supergraph reloads; and the
 * readiness check of every subgraph the supergraph names (its `/health`).
 */
export function subgraphServices(config: GatewayConfig, metrics: Registry, logger: Logger) {
  const health = new Map<string, ReadinessCheck>();
  const fetchers = new Map<string, ReturnType<typeof createSubgraphFetcher>>();
  return {
    buildService({ name, url }: { name: string; url?: string }) {
      const target = subgraphUrl(name, url, config.subgraphUrls);
      const key = `${name} ${target}`;
      if (!fetchers.has(key)) fetchers.set(key, createSubgraphFetcher(name, subgraphCallSettings(config, name), metrics, logger));
      health.set(name, httpCheck(new URL("/health", target).toString()));
      return new ForwardingDataSource({ url: target, fetcher: fetchers.get(key)!.fetcher, subgraph: name });
    },
    /** Every subgraph answers its `/health`; the error names the first that does not. */
    ready: () => Promise.all([...health].map(([name, check]) => check().catch((err: Error) => Promise.reject(new Error(`${name}: ${err.message}`))))),
    close: async () => {
      await Promise.allSettled([...fetchers.values()].map(({ close }) => close()));
    },
  };
}
