import DataLoader from "dataloader";
import type { Batch, BatchStatusChange, PrismaClient } from "../../../generated/prisma/client.js";
import { isUuid } from "./batches.js";

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
    batchById: new DataLoader(async (ids) => {
      const valid = ids.filter(isUuid).map((id) => id.toLowerCase());
      const batches = valid.length > 0 ? await prisma.batch.findMany({ where: { id: { in: valid } } }) : [];
      const byId = new Map(batches.map((batch) => [batch.id, batch]));
      return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
    }),
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
