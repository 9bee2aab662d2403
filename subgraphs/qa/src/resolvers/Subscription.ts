import type { Deviation, ReleaseDecision } from "../../../../generated/prisma/client.js";
import type { EventEnvelope } from "#lib/events/envelope.js";
import { apiError } from "#lib/errors.js";
import { eventStream } from "#lib/pubsub/stream.js";
import type { SubscriptionResolvers } from "../__generated__/resolvers-types.js";
import type { QaContext } from "../context.js";
import { QA_EVENT_TYPES } from "../events/qaEvents.js";
import { QA_CHANNELS } from "../subscriptions/channels.js";

type QaEvent = EventEnvelope<Record<string, string | null>>;

// Read afresh for each event: a subscription's context lives as long as the subscription.
async function deviationOf(event: QaEvent, ctx: QaContext): Promise<Deviation> {
  const deviation = await ctx.prisma.deviation.findUnique({ where: { id: event.data.deviation_id ?? "" } });
  if (!deviation) throw apiError("NOT_FOUND", `Event ${event.id} names deviation ${event.data.deviation_id}, which does not exist`);
  return deviation;
}

async function decisionOf(event: QaEvent, ctx: QaContext): Promise<ReleaseDecision> {
  const decision = await ctx.prisma.releaseDecision.findUnique({ where: { id: event.data.decision_id ?? "" } });
  if (!decision) throw apiError("NOT_FOUND", `Event ${event.id} names decision ${event.data.decision_id}, which does not exist`);
  return decision;
}

export const Subscription: SubscriptionResolvers = {
  deviationOpened: {
    subscribe: (_parent, _args, ctx) => eventStream<QaEvent>(ctx.events, QA_CHANNELS.deviationOpened, { logger: ctx.logger }),
    resolve: (event: QaEvent, _args: unknown, ctx: QaContext) => deviationOf(event, ctx),
  },
  batchReleased: {
    subscribe: (_parent, { includeRejections }, ctx) =>
      eventStream<QaEvent>(ctx.events, QA_CHANNELS.decisions, {
        logger: ctx.logger,
        accept: (event) => includeRejections === true || event.type === QA_EVENT_TYPES.batchReleased,
      }),
    resolve: (event: QaEvent, _args: unknown, ctx: QaContext) => decisionOf(event, ctx),
  },
};
