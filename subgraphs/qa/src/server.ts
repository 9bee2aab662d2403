import { TokenVerifier } from "#lib/auth/verifier.js";
import type { QaConfig } from "#lib/config.js";
import { startEventRelay, type EventRelay, type EventRelayOptions } from "#lib/events/outbox/startRelay.js";
import { createEventPubSub } from "#lib/pubsub/redis.js";
import { rabbitmqCheck } from "#lib/server/readiness.js";
import type { Runtime } from "#lib/server/runtime.js";
import { loadSchema } from "#lib/server/schema.js";
import { createSubgraphServer, type RequestContext, type SubgraphServer } from "#lib/server/subgraph.js";
import { serveSubscriptions } from "#lib/server/subscriptions.js";
import { productionBatches } from "./batches/productionBatches.js";
import type { QaContext } from "./context.js";
import { createQaLoaders } from "./loaders.js";
import { authSignatures } from "./release/signatures.js";
import { resolvers } from "./resolvers/index.js";
import { startQaSubscriptionConsumer, type QaSubscriptionConsumerOptions } from "./subscriptions/consumer.js";

export const typeDefs = loadSchema(import.meta.url, "../schema.graphql");

export interface QaServerOptions {
  /** The outbox relay of this instance; `false` for none. Default: relay to `QA_EVENTS_EXCHANGE`; what is given here wins. */
  relay?: Partial<EventRelayOptions> | false;
  /** The consumer feeding the subscriptions; `false` for none. Default: `QA_EVENTS_EXCHANGE`, `QA_SUBSCRIPTIONS_QUEUE`, `EVENTS_*`. */
  subscriptions?: Partial<QaSubscriptionConsumerOptions> | false;
}

/** The qa subgraph (port 8004): specifications, test results, deviations and signed release decisions. */
export function createQaServer(runtime: Runtime<QaConfig>, options: QaServerOptions = {}): SubgraphServer {
  const { config, logger, prisma, revocations, metrics } = runtime;
  const { exchange, queue, consumer } = config.events;
  const verifier = TokenVerifier.fromJwks(config, revocations);
  const events = createEventPubSub(config.redisUrl, config.redisPrefix, logger, metrics);
  // What every request's context holds besides the request's own: built per request (loaders, callers).
  const context = (base: RequestContext, loaders = createQaLoaders(prisma)): QaContext => {
    const caller = { authorization: base.authorization, requestId: base.requestId };
    return {
      ...base,
      prisma,
      events,
      loaders,
      batches: productionBatches({ ...caller, url: config.productionUrl }),
      signatures: authSignatures({ ...caller, url: config.authUrl }),
    };
  };
  const server = createSubgraphServer<QaContext>(runtime, {
    typeDefs,
    resolvers,
    verifier,
    // Decisions go to the outbox while the broker is away: it is reported, not a reason to stop serving.
    optionalDependencies: { rabbitmq: rabbitmqCheck(config.amqpUrl) },
    context: (base) => context(base),
  });

  const stops: Array<() => Promise<void>> = [];
  let relay: EventRelay | undefined;
  return {
    ...server,
    async start() {
      await server.start();
      const ws = serveSubscriptions<QaContext>({
        httpServer: server.httpServer,
        schema: server.schema,
        verifier,
        logger,
        metrics,
        production: config.production,
        settings: config.websockets,
        limits: config.subscriptionLimits,
        // A subscription's context lives as long as it does: its loaders would cache the first event's rows.
        context: (base) => ({
          ...context(base),
          get loaders() {
            return createQaLoaders(prisma);
          },
        }),
      });
      stops.push(() => ws.close());
      if (options.subscriptions !== false) {
        const settings = { exchange, queue, ...consumer, ...options.subscriptions };
        stops.push(startQaSubscriptionConsumer({ amqpUrl: config.amqpUrl, prisma, events, logger, metrics }, settings).stop);
      }
      if (options.relay !== false) relay = startEventRelay(runtime, { exchange, schema: "qa", ...options.relay });
    },
    async stop() {
      for (const stop of stops.splice(0).reverse()) await stop();
      await server.stop();
      await relay?.stop();
      await events.close();
    },
  };
}
