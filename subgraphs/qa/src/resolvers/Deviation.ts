import type { DeviationResolvers } from "../__generated__/resolvers-types.js";
import { deviationNumber } from "../deviations/deviationHistory.js";

export const Deviation: DeviationResolvers = {
  number: (deviation) => deviationNumber(deviation.number),
  batch: (deviation) => ({ id: deviation.batchId }),
  testResult: (deviation, _args, ctx) => (deviation.testResultId ? ctx.loaders.resultById.load(deviation.testResultId) : null),
  openedBy: (deviation) => ({ id: deviation.openedById }),
  closedBy: (deviation) => (deviation.closedById ? { id: deviation.closedById } : null),
  history: (deviation, _args, ctx) => ctx.loaders.historyByDeviation.load(deviation.id),
};
