import type { BatchStatusChangeResolvers } from "../__generated__/resolvers-types.js";

export const BatchStatusChange: BatchStatusChangeResolvers = {
  // A reference, resolved by the user subgraph (batched with the others of the response).
  changedBy: (change) => ({ id: change.changedById }),
};
