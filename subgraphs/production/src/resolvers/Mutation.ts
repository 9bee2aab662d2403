import type { MutationResolvers } from "../__generated__/resolvers-types.js";
import { advanceStage, changeStatus, createBatch, updateBatch } from "../batches/batchWrites.js";
import { actorOf } from "../context.js";

export const Mutation: MutationResolvers = {
  createBatch: (_parent, { input }, ctx) => createBatch(ctx.prisma, input, actorOf(ctx)),
  updateBatch: (_parent, { id, version, input, reason }, ctx) => updateBatch(ctx.prisma, id, version, input, reason, actorOf(ctx)),
  changeBatchStatus: (_parent, { id, ...request }, ctx) => changeStatus(ctx.prisma, id, request, actorOf(ctx)),
  advanceBatchStage: (_parent, { id, version }, ctx) => advanceStage(ctx.prisma, id, version, actorOf(ctx)),
};
