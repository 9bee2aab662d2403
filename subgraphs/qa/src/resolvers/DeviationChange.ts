import type { DeviationChangeResolvers } from "../__generated__/resolvers-types.js";

type FieldChanges = Record<string, { from: string | null; to: string | null }>;

export const DeviationChange: DeviationChangeResolvers = {
  changes: (change) => Object.entries(change.changes as FieldChanges).map(([field, { from, to }]) => ({ field, from, to })),
  changedBy: (change) => ({ id: change.changedById }),
};
