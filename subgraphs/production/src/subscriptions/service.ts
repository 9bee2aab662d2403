import { createEventPubSub, type EventPubSub } from "#lib/pubsub/redis.js";
import type { ProductionConfig } from "#lib/config.js";
import type { Runtime } from "#lib/server/runtime.js";
import type { SubgraphServer } from "#lib/server/subgraph.js";
import { serveSubscriptions } from "#lib/server/subscriptions.js";
import type { TokenVerifier } from "#lib/auth/verifier.js";
import type { ProductionContext } from "../context.js";
import { createProductionLoaders } from "../batches/loaders.js";
import { startSubscriptionConsumer, type SubscriptionConsumerOptions } from "./consumer.js";

/** The subscription side of one production instance: Redis pub/sub, graphql-ws, the consumer. */
export interface ProductionSubscriptions {
  events: EventPubSub;
  /** Serves graphql-ws on the server's `/graphql` and starts the consumer (unless `false`). */
  start(server: SubgraphServer, verifier: TokenVerifier): void;
  stop(): Promise<void>;
}

export function createProductionSubscriptions(runtime: Runtime<ProductionConfig>, consumer: SubscriptionConsumerOptions | false): ProductionSubscriptions {
  const { config, logger, prisma } = runtime;
  const events = createEventPubSub(config.redisUrl, config.redisPrefix, logger, runtime.metrics);
  const stops: Array<() => Promise<void>> = [];
  return {
    events,
    start(server, verifier) {
      const ws = serveSubscriptions<ProductionContext>({
        httpServer: server.httpServer,
        schema: server.schema,
        verifier,
        logger,
        metrics: runtime.metrics,
        production: config.production,
        settings: config.websockets,
        limits: config.subscriptionLimits,
        // A getter: a subscription context lives as long as the subscription, and cached
        // loaders would serve every event the batch as it was at the first one.
        context: (base) => ({
          ...base,
          prisma,
          events,
          get loaders() {
            return createProductionLoaders(prisma);
          },
        }),
      });
      stops.push(() => ws.close());
      if (consumer !== false) stops.push(startSubscriptionConsumer(runtime, events, consumer).stop);
    },
    async stop() {
      for (const stop of stops.splice(0).reverse()) await stop();
      await events.close();
    },
  };
}
