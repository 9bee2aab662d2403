import type { ReleaseDecisionResolvers } from "../__generated__/resolvers-types.js";

export const ReleaseDecision: ReleaseDecisionResolvers = {
  batch: (decision) => ({ id: decision.batchId }),
  specification: (decision, _args, ctx) => (decision.specificationId ? ctx.loaders.specificationById.load(decision.specificationId) : null),
  signedBy: (decision) => ({ id: decision.signedById }),
};
