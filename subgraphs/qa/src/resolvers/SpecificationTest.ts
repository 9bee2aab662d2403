import type { SpecificationTestResolvers } from "../__generated__/resolvers-types.js";

export const SpecificationTest: SpecificationTestResolvers = {
  // Limits are stored exactly (NUMERIC); clients get them as numbers.
  lowerLimit: (test) => test.lowerLimit?.toNumber() ?? null,
  upperLimit: (test) => test.upperLimit?.toNumber() ?? null,
};
