import type { Prisma } from "../../../../generated/prisma/client.js";
import type { EventEnvelope } from "../../../../lib/events/envelope.js";

/** The part of a Prisma client (or of its transaction) the outbox writes through. */
type OutboxWriter = Pick<Prisma.TransactionClient, "outboxEvent">;

/**
 * Writes events to the outbox, in the caller's transaction: they exist exactly when the
 * change that caused them was committed. The relay publishes them in insertion order
 * (`sequence`); the order of `envelopes` is that order.
 */
export async function writeOutbox(tx: OutboxWriter, batchId: string, envelopes: EventEnvelope<unknown>[]): Promise<void> {
  await tx.outboxEvent.createMany({
    data: envelopes.map((envelope) => ({
      id: envelope.id,
      batchId,
      type: envelope.type,
      envelope: envelope as unknown as Prisma.InputJsonValue,
    })),
  });
}
