import { apiError } from "#lib/errors.js";
import { eventStream } from "#lib/pubsub/stream.js";
import type { Batch } from "../../../../generated/prisma/client.js";
import type { SubscriptionResolvers } from "../__generated__/resolvers-types.js";
import type { ProductionContext } from "../context.js";
import { EventType } from "../batches/batchEvents.js";
import type { BatchEvent } from "../subscriptions/payloads.js";
import { checkAfter, replayAfter } from "../subscriptions/replay.js";

/** The batch an event names, read now (a subscriber sees its current state). */
export async function batchOf(event: BatchEvent, ctx: ProductionContext): Promise<Batch> {
  const batch = await ctx.prisma.batch.findUnique({ where: { id: event.data.batch_id } });
  if (!batch) throw apiError("NOT_FOUND", `Event ${event.id} names batch ${event.data.batch_id}, which does not exist`);
  return batch;
}

const batchEvents = (type: string) => ({
  subscribe: (_parent: unknown, _args: unknown, ctx: ProductionContext) => eventStream<BatchEvent>(ctx.events, type, { logger: ctx.logger }),
  resolve: (event: BatchEvent, _args: unknown, ctx: ProductionContext) => batchOf(event, ctx),
});

export const Subscription: SubscriptionResolvers = {
  batchCreated: batchEvents(EventType.created),
  batchCompleted: batchEvents(EventType.completed),
  batchStatusChanged: {
    subscribe: async (_parent, { batchId, statuses, after }, ctx) => {
      // Checked now, so that a bad `after` is an error of the subscription, not of its stream.
      if (after) await checkAfter(ctx.prisma, after);
      return eventStream<BatchEvent>(ctx.events, EventType.statusChanged, {
        accept: ({ data }) => (!batchId || data.batch_id === batchId) && (!statuses?.length || statuses.includes(data.new_status as never)),
        replay: after ? () => replayAfter(ctx.prisma, EventType.statusChanged, after) : undefined,
        logger: ctx.logger,
      });
    },
    resolve: (event: BatchEvent) => event,
  },
};
