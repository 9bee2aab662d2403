import { TokenVerifier } from "../../../lib/auth/verifier.js";
import { readEventsConfig } from "../../../lib/events/config.js";
import { loadSchema } from "../../../lib/server/schema.js";
import { createSubgraphServer, type SubgraphServer } from "../../../lib/server/subgraph.js";
import type { Runtime } from "../../../lib/server/runtime.js";
import type { ProductionContext } from "./context.js";
import { startEventRelay, type EventRelay, type EventRelayOptions } from "./eventRelay.js";
import { createProductionLoaders } from "./loaders.js";
import { resolvers } from "./resolvers/index.js";

export const typeDefs = loadSchema(import.meta.url, "../schema.graphql");

export interface ProductionServerOptions {
  /**
   * The outbox relay of this instance, started with the server and stopped with it; `false`
   * for none. Default: relay to `EVENTS_EXCHANGE` (default `production.events`).
   */
  relay?: EventRelayOptions | false;
}

/** The production subgraph: batches, their history and events (port 8003). */
export function createProductionServer(runtime: Runtime, options: ProductionServerOptions = {}): SubgraphServer {
  const { config, logger, metrics, prisma, revocations } = runtime;
  const relayOptions = options.relay ?? readEventsConfig();
  const server = createSubgraphServer<ProductionContext>({
    name: "production",
    typeDefs,
    resolvers,
    verifier: TokenVerifier.fromJwks(config, revocations),
    logger,
    metrics,
    production: config.production,
    context: (base) => ({ ...base, prisma, loaders: createProductionLoaders(prisma) }),
  });
  if (relayOptions === false) return server;

  let relay: EventRelay | undefined;
  return {
    ...server,
    async start() {
      await server.start();
      relay = startEventRelay(runtime, relayOptions);
    },
    async stop() {
      await server.stop();
      await relay?.stop();
    },
  };
}
