import { TokenVerifier } from "../../../lib/auth/verifier.js";
import { readEventsConfig } from "../../../lib/events/config.js";
import { restInfo, serviceRest } from "../../../rest/engine/service.js";
import { loadSchema } from "../../../lib/server/schema.js";
import { createSubgraphServer, type SubgraphServer } from "../../../lib/server/subgraph.js";
import type { Runtime } from "../../../lib/server/runtime.js";
import type { ProductionContext } from "./context.js";
import { startEventRelay, type EventRelay, type EventRelayOptions } from "./outbox/startRelay.js";
import { createProductionLoaders } from "./batches/loaders.js";
import { resolvers } from "./resolvers/index.js";
import { batchRoutes } from "../../../rest/routes/batches.js";
import { readSubscriptionConsumerConfig, type SubscriptionConsumerOptions } from "./subscriptions/consumer.js";
import { createProductionSubscriptions } from "./subscriptions/service.js";

export const typeDefs = loadSchema(import.meta.url, "../schema.graphql");

export interface ProductionServerOptions {
  /**
   * The outbox relay of this instance, started with the server and stopped with it; `false`
   * for none. Default: relay to `EVENTS_EXCHANGE` (default `production.events`).
   */
  relay?: EventRelayOptions | false;
  /**
   * The consumer moving events from RabbitMQ to the subscribers (Redis pub/sub); `false` for
   * none. Default: `EVENTS_EXCHANGE` and queue `SUBSCRIPTIONS_QUEUE` (default `production.subscriptions`).
   */
  subscriptions?: SubscriptionConsumerOptions | false;
}

/** The production subgraph: batches, their history and events (port 8003). */
export function createProductionServer(runtime: Runtime, options: ProductionServerOptions = {}): SubgraphServer {
  const { config, logger, metrics, prisma, revocations } = runtime;
  const relayOptions = options.relay ?? readEventsConfig();
  const verifier = TokenVerifier.fromJwks(config, revocations);
  const subscriptions = createProductionSubscriptions(runtime, options.subscriptions ?? readSubscriptionConsumerConfig());
  const rest = serviceRest(batchRoutes, logger, restInfo("Production service", "Production batches."));
  const server = rest.bind(createSubgraphServer<ProductionContext>({
    name: "production",
    typeDefs,
    resolvers,
    verifier,
    logger,
    metrics,
    perimeter: runtime.perimeter,
    production: config.production,
    routes: rest.router,
    context: (base) => ({ ...base, prisma, loaders: createProductionLoaders(prisma), events: subscriptions.events }),
  }));

  let relay: EventRelay | undefined;
  return {
    ...server,
    async start() {
      await server.start();
      subscriptions.start(server, verifier);
      if (relayOptions !== false) relay = startEventRelay(runtime, relayOptions);
    },
    async stop() {
      await subscriptions.stop();
      await server.stop();
      await relay?.stop();
    },
  };
}
