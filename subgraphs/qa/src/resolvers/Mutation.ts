import type { MutationResolvers } from "../__generated__/resolvers-types.js";
import { closeDeviation, openDeviation, updateDeviation } from "../deviations/deviationWrites.js";
import { decideBatch } from "../release/decideBatch.js";
import { recordTestResult } from "../results/recordTestResult.js";
import { publishSpecification } from "../specifications/publishSpecification.js";

// Scopes are checked by `@requiresScopes` in the SDL before any of these run.
export const Mutation: MutationResolvers = {
  publishSpecification: (_parent, { input }, ctx) => publishSpecification(ctx, input),
  recordTestResult: (_parent, { input }, ctx) => recordTestResult(ctx, input),
  openDeviation: (_parent, { input }, ctx) => openDeviation(ctx, input),
  updateDeviation: (_parent, { id, input }, ctx) => updateDeviation(ctx, id, input),
  closeDeviation: (_parent, { id, input }, ctx) => closeDeviation(ctx, id, input),
  releaseBatch: (_parent, { batchId, signature }, ctx) => decideBatch(ctx, { batchId, decision: "RELEASED", reason: null, signature }),
  rejectBatch: (_parent, { batchId, reason, signature }, ctx) => decideBatch(ctx, { batchId, decision: "REJECTED", reason, signature }),
};
