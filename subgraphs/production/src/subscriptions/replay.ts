import { apiError } from "#lib/errors.js";
import { isUuid } from "#lib/graphql/ids.js";
import type { PrismaClient } from "#lib/prisma.js";
import type { BatchEvent } from "./payloads.js";

/** Most events replayed by one `after`: a client further behind should reload instead. */
export const MAX_REPLAY = 10_000;

/** Refuses an `after` that is not the id of an event in the log, before anything is streamed. */
export async function checkAfter(prisma: PrismaClient, after: string): Promise<void> {
  if (!isUuid(after)) throw apiError("BAD_USER_INPUT", `after: ${after} is not an event id`, { field: "after" });
  const [mark] = await prisma.$queryRaw<Array<{ sequence: bigint }>>`
    SELECT sequence FROM production.outbox_events WHERE id = ${after}::uuid`;
  if (!mark) throw apiError("NOT_FOUND", `after: no event ${after} in the event log`, { field: "after" });
}

/**
 * The events of `type` committed after event `after` (checked by {@link checkAfter}), from the
 * outbox (the event log), in publishing order. Sequence numbers are taken before commit, so a
 * row can commit after a higher one was already published: ordering by (published_at,
 * sequence) follows the relay's order instead, and rows not published yet come last (they
 * reach live subscribers later and are dropped there as duplicates).
 */
export async function replayAfter(prisma: PrismaClient, type: string, after: string): Promise<BatchEvent[]> {
  const rows = await prisma.$queryRaw<Array<{ envelope: BatchEvent }>>`
    WITH mark AS (
      SELECT coalesce(published_at, 'infinity') AS at, sequence FROM production.outbox_events WHERE id = ${after}::uuid
    )
    SELECT e.envelope FROM production.outbox_events e, mark
    WHERE e.type = ${type} AND (coalesce(e.published_at, 'infinity'), e.sequence) > (mark.at, mark.sequence)
    ORDER BY coalesce(e.published_at, 'infinity'), e.sequence
    LIMIT ${MAX_REPLAY + 1}`;
  if (rows.length > MAX_REPLAY) throw apiError("BAD_USER_INPUT", `after: more than ${MAX_REPLAY} events to replay; reload instead`, { field: "after" });
  return rows.map((row) => row.envelope);
}
