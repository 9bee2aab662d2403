import type { BatchResolvers } from "../__generated__/resolvers-types.js";
import { loadReadiness } from "../release/batchReadiness.js";

/** The `@requires` fields: the gateway fetched them from production before calling here. */
function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new Error(`Batch.${field} missing: the gateway sends it through @requires`);
  return value;
}

export const Batch: BatchResolvers = {
  // QA keeps no batch rows: the reference (with its `@requires` fields) is the batch.
  __resolveReference: (reference) => reference,

  specification: async (batch, _args, ctx) => {
    const decision = await ctx.loaders.decisionByBatch.load(batch.id);
    if (decision?.specificationId) return ctx.loaders.specificationById.load(decision.specificationId);
    return ctx.loaders.specificationInForce.load(required(batch.productCode, "productCode"));
  },
  testResults: (batch, _args, ctx) => ctx.loaders.resultsByBatch.load(batch.id),
  deviations: (batch, _args, ctx) => ctx.loaders.deviationsByBatch.load(batch.id),
  releaseDecision: (batch, _args, ctx) => ctx.loaders.decisionByBatch.load(batch.id),
  qaReady: (batch, _args, ctx) =>
    loadReadiness(ctx.loaders, { id: batch.id, productCode: required(batch.productCode, "productCode"), status: required(batch.status, "status") }),
};
