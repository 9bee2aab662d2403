import type { SpecificationResolvers } from "../__generated__/resolvers-types.js";

export const Specification: SpecificationResolvers = {
  inForce: async (spec, _args, ctx) => (await ctx.loaders.specificationInForce.load(spec.productCode))?.id === spec.id,
  tests: (spec, _args, ctx) => ctx.loaders.testsBySpecification.load(spec.id),
  createdBy: (spec) => ({ id: spec.createdById }),
};
