import type { BatchFieldChangeResolvers, BatchStageChangeResolvers, BatchStatusChangeResolvers } from "../__generated__/resolvers-types.js";

/** A reference, resolved by the user subgraph (batched with the others of the response). */
const changedBy = (change: { changedById: string }) => ({ id: change.changedById });

export const BatchStatusChange: BatchStatusChangeResolvers = { changedBy };

/** An entry of the stage history: the same shape of author as the status audit trail. */
export const BatchStageChange: BatchStageChangeResolvers = { changedBy };

/** An entry of the change history of the master data: the same shape of author again. */
export const BatchFieldChange: BatchFieldChangeResolvers = { changedBy };
