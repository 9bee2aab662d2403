import DataLoader from "dataloader";
import type { Batch, BatchStatusChange, PrismaClient } from "../../../generated/prisma/client.js";
import { byIdLoader } from "../../../lib/graphql/ids.js";

/** The DataLoaders of one request. */
export interface ProductionLoaders {
  /** Batches by id, `null` when there is none (or the id is not a UUID). */
  batchById: DataLoader<string, Batch | null>;
  /** The audit trail of each batch, oldest first. */
  historyByBatchId: DataLoader<string, BatchStatusChange[]>;
}

/**
 * Loaders for one request: the lookups of a tick become one `WHERE ... IN (...)` statement, so
 * the `history` of every batch of a page costs one statement, whatever the page size.
 */
export function createProductionLoaders(prisma: PrismaClient): ProductionLoaders {
  return {
    batchById: byIdLoader((ids) => prisma.batch.findMany({ where: { id: { in: ids } } })),
    historyByBatchId: new DataLoader(async (batchIds) => {
      const changes = await prisma.batchStatusChange.findMany({
        where: { batchId: { in: [...batchIds] } },
        orderBy: [{ changedAt: "asc" }, { id: "asc" }],
      });
      const byBatch = new Map<string, BatchStatusChange[]>();
      for (const change of changes) byBatch.set(change.batchId, [...(byBatch.get(change.batchId) ?? []), change]);
      return batchIds.map((id) => byBatch.get(id) ?? []);
    }),
  };
}
