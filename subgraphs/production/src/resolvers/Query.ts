import { selects } from "#lib/graphql/pagination.js";
import type { QueryResolvers } from "../__generated__/resolvers-types.js";
import { checkText } from "#lib/graphql/text.js";
import { TEXT_RULES } from "../batches/batchInput.js";
import { listBatches } from "../batches/batchList.js";
import { productionMetrics } from "../batches/productionMetrics.js";
import { STAGES } from "../batches/stages.js";

export const Query: QueryResolvers = {
  batchStages: () => [...STAGES],
  batch: (_parent, { id }, ctx) => ctx.loaders.batchById.load(id),
  batchByNumber: (_parent, { number }, ctx) => ctx.prisma.batch.findUnique({ where: { batchNumber: checkText("number", number, TEXT_RULES.batchNumber) } }),
  // The count of the whole filtered set costs a statement: only when the client asked for it.
  batches: (_parent, args, ctx, info) => listBatches(ctx.prisma, args, selects(info, "totalCount")),
  // The DateTime scalar has parsed both into Dates.
  productionMetrics: (_parent, { from, to }, ctx) => productionMetrics(ctx.prisma, from as Date, to as Date),
};
