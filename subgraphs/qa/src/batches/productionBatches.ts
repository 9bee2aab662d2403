import type { BatchStatus } from "../../../../generated/prisma/enums.js";
import { apiError } from "#lib/errors.js";
import { isUuid } from "#lib/graphql/ids.js";
import { callService, ServiceUnavailableError, type ServiceCallTarget } from "#lib/graphql/serviceCall.js";

/** A batch as the production subgraph has it now: what QA checks before it records or decides. */
export interface ProductionBatch {
  id: string;
  batchNumber: string;
  status: BatchStatus;
  productCode: string;
}

/** Batch lookups in the production subgraph on behalf of the request's caller. */
export interface ProductionBatches {
  /** The batch, or null when production has none with that id. */
  get(batchId: string): Promise<ProductionBatch | null>;
  /**
   * The batch, checked: NOT_FOUND when there is none, CONFLICT naming its status when it is not
   * in one of `statuses` (`action` names what was refused: `a release` gives "Batch B-1 is
   * IN_PROGRESS: a release needs a batch in QA_HOLD").
   */
  require(batchId: string, statuses: readonly BatchStatus[], action: string): Promise<ProductionBatch>;
}

const BATCH = /* GraphQL */ `
  query QaBatch($id: ID!) { batch(id: $id) { id batchNumber status productCode } }
`;

/**
 * Asks the production subgraph (`PRODUCTION_URL`) for batches with the caller's own token, so
 * that production's own checks apply. Production down is SERVICE_UNAVAILABLE: QA records
 * nothing about a batch it cannot see.
 */
export function productionBatches(target: ServiceCallTarget): ProductionBatches {
  async function get(batchId: string): Promise<ProductionBatch | null> {
    if (!isUuid(batchId)) return null;
    try {
      const data = await callService({ ...target, service: "production", operation: "batch", query: BATCH, variables: { id: batchId } });
      return (data.batch as ProductionBatch | null) ?? null;
    } catch (err) {
      if (err instanceof ServiceUnavailableError) {
        throw apiError("SERVICE_UNAVAILABLE", "The production service cannot be reached to check the batch; try again shortly", { serviceName: "production" });
      }
      throw err;
    }
  }
  return {
    get,
    async require(batchId, statuses, action) {
      const batch = await get(batchId);
      if (!batch) throw apiError("NOT_FOUND", `No batch with id ${batchId}`, { field: "batchId" });
      if (!statuses.includes(batch.status)) {
        const allowed = statuses.length > 1 ? `${statuses.slice(0, -1).join(", ")} or ${statuses.at(-1)}` : statuses[0];
        throw apiError("CONFLICT", `Batch ${batch.batchNumber} is ${batch.status}: ${action} needs a batch in ${allowed}`, {
          field: "batchId",
          status: batch.status,
        });
      }
      return batch;
    },
  };
}
