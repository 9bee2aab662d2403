import type { DeviationChangeResolvers } from "../__generated__/resolvers-types.js";
import { TRACKED_FIELDS } from "../deviations/deviationHistory.js";

type FieldChanges = Record<string, { from: string | null; to: string | null }>;

// JSONB keeps its own key order: the fields are given back in the order of the deviation's.
const position = (field: string) => (TRACKED_FIELDS as readonly string[]).indexOf(field);

export const DeviationChange: DeviationChangeResolvers = {
  changes: (change) =>
    Object.entries(change.changes as FieldChanges)
      .sort(([a], [b]) => position(a) - position(b))
      .map(([field, { from, to }]) => ({ field, from, to })),
  changedBy: (change) => ({ id: change.changedById }),
};
