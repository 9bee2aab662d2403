import { Prisma } from "../../../../generated/prisma/client.js";
import type { EventEnvelope } from "#lib/events/envelope.js";

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

/**
 * The same rows as {@link writeOutbox}, as one `INSERT` to put in a larger statement (a
 * data-modifying `WITH`): one row per envelope for each row of `batches`, a relation with an
 * `id` column (the CTE of the batch just changed: no row there, no event). The envelopes go
 * as one JSON parameter and keep their order in `sequence`.
 */
export function outboxInsert(batches: Prisma.Sql, envelopes: EventEnvelope<unknown>[]): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO production.outbox_events (id, batch_id, type, envelope)
    SELECT (e.envelope ->> 'id')::uuid, b.id, e.envelope ->> 'type', e.envelope
      FROM ${batches} AS b, jsonb_array_elements(${JSON.stringify(envelopes)}::jsonb) WITH ORDINALITY AS e(envelope, n)
     ORDER BY e.n`;
}
