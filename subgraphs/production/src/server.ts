import { TokenVerifier } from "#lib/auth/verifier.js";
import { restInfo, serviceRest } from "../../../rest/engine/service.js";
import { loadSchema } from "#lib/server/schema.js";
import { rabbitmqCheck } from "#lib/server/readiness.js";
import { createSubgraphServer, type SubgraphServer } from "#lib/server/subgraph.js";
import type { ProductionConfig } from "#lib/config.js";
import type { Runtime } from "#lib/server/runtime.js";
import type { ProductionContext } from "./context.js";
import { startEventRelay, type EventRelay, type EventRelayOptions } from "#lib/events/outbox/startRelay.js";
import { createProductionLoaders } from "./batches/loaders.js";
import { resolvers } from "./resolvers/index.js";
import { batchRoutes } from "../../../rest/routes/batches.js";
import type { SubscriptionConsumerOptions } from "./subscriptions/consumer.js";
import { createProductionSubscriptions } from "./subscriptions/service.js";
import { startQaDecisionConsumer, type QaDecisionConsumerOptions } from "./qaDecisions/consumer.js";

export const typeDefs = loadSchema(import.meta.url, "../schema.graphql");

export interface ProductionServerOptions {
  /**
   * The outbox relay of this instance, started with the server and stopped with it; `false`
   * for none. Default: relay to `EVENTS_EXCHANGE` (`config.events`); what is given here wins.
   */
  relay?: Partial<EventRelayOptions> | false;
  /**
   * The consumer moving events from RabbitMQ to the subscribers (Redis pub/sub); `false` for
   * none. Default: `EVENTS_EXCHANGE`, `SUBSCRIPTIONS_QUEUE` and the `EVENTS_*` limits (`config.events`); what is given here wins.
   */
  subscriptions?: Partial<SubscriptionConsumerOptions> | false;
  /**
   * The consumer applying QA's release and rejection decisions (`qa.batch.released`,
   * `qa.batch.rejected`) to batches in QA_HOLD, the only way a batch is released or rejected;
   * `false` for none. Default: `QA_EVENTS_EXCHANGE`, `QA_DECISIONS_QUEUE` (`config.qaDecisions`)
   * and the `EVENTS_*` limits (`config.events.consumer`); what is given here wins.
   */
  qaDecisions?: Partial<QaDecisionConsumerOptions> | false;
}

/** The production subgraph: batches, their history and events (port 8003). */
export function createProductionServer(runtime: Runtime<ProductionConfig>, options: ProductionServerOptions = {}): SubgraphServer {
  const { config, logger, prisma, revocations } = runtime;
  const { exchange, queue, consumer } = config.events;
  const relayOptions = options.relay === false ? false : { exchange, schema: "production", ...options.relay };
  const verifier = TokenVerifier.fromJwks(config, revocations);
  const subscriptions = createProductionSubscriptions(
    runtime,
    options.subscriptions === false ? false : { exchange, queue, ...consumer, ...options.subscriptions },
  );
  const qaDecisionOptions = options.qaDecisions === false ? false : { ...config.qaDecisions, ...consumer, ...options.qaDecisions };
  const rest = serviceRest(batchRoutes, logger, restInfo("Production service", "Production batches."));
  const server = rest.bind(
    createSubgraphServer<ProductionContext>(runtime, {
      typeDefs,
      resolvers,
      verifier,
      routes: rest.router,
      // Writes go to the outbox while the broker is away: it is reported, not a reason to stop serving.
      optionalDependencies: { rabbitmq: rabbitmqCheck(config.amqpUrl) },
      context: (base) => ({ ...base, prisma, loaders: createProductionLoaders(prisma), events: subscriptions.events }),
    }),
  );

  let relay: EventRelay | undefined;
  let qaDecisions: { stop(): Promise<void> } | undefined;
  return {
    ...server,
    async start() {
      await server.start();
      subscriptions.start(server, verifier);
      if (qaDecisionOptions !== false) qaDecisions = startQaDecisionConsumer(runtime, qaDecisionOptions);
      if (relayOptions !== false) relay = startEventRelay(runtime, relayOptions);
    },
    async stop() {
      await qaDecisions?.stop();
      await subscriptions.stop();
      await server.stop();
      await relay?.stop();
    },
  };
}
