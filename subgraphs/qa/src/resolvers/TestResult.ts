import type { TestResultResolvers } from "../__generated__/resolvers-types.js";

export const TestResult: TestResultResolvers = {
  batch: (result) => ({ id: result.batchId }),
  test: async (result, _args, ctx) => (await ctx.loaders.testById.load(result.testId))!,
  specification: async (result, _args, ctx) => {
    const test = (await ctx.loaders.testById.load(result.testId))!;
    return (await ctx.loaders.specificationById.load(test.specificationId))!;
  },
  analyst: (result) => ({ id: result.analystId }),
  recordedBy: (result) => ({ id: result.recordedById }),
  deviation: async (result, _args, ctx) => (await ctx.loaders.deviationsByResult.load(result.id))[0] ?? null,
};
