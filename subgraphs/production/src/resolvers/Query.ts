import type { BatchStage, QueryResolvers } from "../__generated__/resolvers-types.js";

/** The stages in manufacturing order (the SDL lists them in that order too). */
export const STAGES: readonly BatchStage[] = ["DISPENSING", "GRANULATION", "BLENDING", "COMPRESSION", "COATING", "PACKAGING"];

export const Query: QueryResolvers = {
  batchStages: () => [...STAGES],
};
