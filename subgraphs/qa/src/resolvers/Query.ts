import type { QueryResolvers } from "../__generated__/resolvers-types.js";
import { pageSize } from "#lib/graphql/pagination.js";
import { isUuid } from "#lib/graphql/ids.js";

export const Query: QueryResolvers = {
  specification: (_parent, { productCode, version }, ctx) =>
    version == null
      ? ctx.loaders.specificationInForce.load(productCode)
      : ctx.prisma.specification.findUnique({ where: { productCode_version: { productCode, version } } }),

  specificationVersions: (_parent, { productCode }, ctx) => ctx.prisma.specification.findMany({ where: { productCode }, orderBy: { version: "desc" } }),

  deviation: (_parent, { id }, ctx) => ctx.loaders.deviationById.load(id),

  deviations: (_parent, { status, batchId, first }, ctx) => {
    const take = pageSize(first);
    if (batchId != null && !isUuid(batchId)) return [];
    return ctx.prisma.deviation.findMany({
      where: { ...(status ? { status } : {}), ...(batchId != null ? { batchId } : {}) },
      orderBy: { number: "desc" },
      take,
    });
  },
};
