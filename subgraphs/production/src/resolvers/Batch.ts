import type { BatchResolvers } from "../__generated__/resolvers-types.js";
import { yieldOf } from "../batches/yield.js";

export const Batch: BatchResolvers = {
  __resolveReference: ({ id }, ctx) => ctx.loaders.batchById.load(id),
  plannedQuantity: (batch) => batch.plannedQuantity.toNumber(),
  actualQuantity: (batch) => batch.actualQuantity?.toNumber() ?? null,
  // Yield is a figure of the finished batch only: before completion the actual quantity may be partial.
  yield: (batch) => (batch.status === "COMPLETED" ? yieldOf(batch.actualQuantity, batch.plannedQuantity) : null),
  // A reference: the user subgraph resolves every createdBy of a page in one `_entities` call.
  createdBy: (batch) => ({ id: batch.createdById }),
  history: (batch, _args, ctx) => ctx.loaders.historyByBatchId.load(batch.id),
  stageHistory: (batch, _args, ctx) => ctx.loaders.stageHistoryByBatchId.load(batch.id),
  changes: (batch, _args, ctx) => ctx.loaders.changesByBatchId.load(batch.id),
};
