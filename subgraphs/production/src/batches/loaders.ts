import DataLoader from "dataloader";
import type { Batch, BatchFieldChange, BatchStageChange, BatchStatusChange, PrismaClient } from "../../../../generated/prisma/client.js";
import { byIdLoader } from "#lib/graphql/ids.js";
import { BATCH_COLUMNS } from "./batchColumns.js";

/** The DataLoaders of one request. */
export interface ProductionLoaders {
  /** Batches by id, `null` when there is none (or the id is not a UUID). */
  batchById: DataLoader<string, Batch | null>;
  /** The audit trail of each batch, oldest first. */
  historyByBatchId: DataLoader<string, BatchStatusChange[]>;
  /** The stage history of each batch, oldest first. */
  stageHistoryByBatchId: DataLoader<string, BatchStageChange[]>;
  /** The change history of each batch's master data, oldest first. */
  changesByBatchId: DataLoader<string, BatchFieldChange[]>;
}

/** The order of a batch's entries: oldest first, ties broken by id so that it is stable. */
const OLDEST_FIRST = [{ changedAt: "asc" }, { id: "asc" }] as const;

/**
 * A per-request loader of the entries of each batch: the batches asked for in one tick are
 * read with one `WHERE batch_id IN (...)` statement (`find`, which keeps the order), then
 * grouped by batch; a batch without entries gets an empty list.
 */
function entriesByBatchId<T extends { batchId: string }>(find: (batchIds: string[]) => Promise<T[]>): DataLoader<string, T[]> {
  return new DataLoader(async (batchIds) => {
    const byBatch = new Map<string, T[]>();
    for (const entry of await find([...batchIds])) byBatch.set(entry.batchId, [...(byBatch.get(entry.batchId) ?? []), entry]);
    return batchIds.map((id) => byBatch.get(id) ?? []);
  });
}

/**
 * Loaders for one request: the lookups of a tick become one `WHERE ... IN (...)` statement, so
 * the `history` (or `stageHistory`, or `changes`) of every batch of a page costs one statement, whatever the
 * page size.
 */
export function createProductionLoaders(prisma: PrismaClient): ProductionLoaders {
  return {
    // Raw SQL, as the list: the client engine would compile a `findMany` anew on every call.
    batchById: byIdLoader((ids) => prisma.$queryRaw<Batch[]>`SELECT ${BATCH_COLUMNS} FROM production.batches WHERE id = ANY(${ids}::uuid[])`),
    historyByBatchId: entriesByBatchId((batchIds) => prisma.batchStatusChange.findMany({ where: { batchId: { in: batchIds } }, orderBy: [...OLDEST_FIRST] })),
    stageHistoryByBatchId: entriesByBatchId((batchIds) =>
      prisma.batchStageChange.findMany({ where: { batchId: { in: batchIds } }, orderBy: [...OLDEST_FIRST] }),
    ),
    changesByBatchId: entriesByBatchId((batchIds) => prisma.batchFieldChange.findMany({ where: { batchId: { in: batchIds } }, orderBy: [...OLDEST_FIRST] })),
  };
}
