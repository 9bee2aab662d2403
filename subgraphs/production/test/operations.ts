/** The GraphQL operations the production tests send, as clients would. */

export const BATCH_FIELDS = /* GraphQL */ `
  id batchNumber productCode productName plannedQuantity actualQuantity unit status stage yield version createdAt updatedAt
  createdBy { id }
  history { fromStatus toStatus reason changedBy { id } }
`;

export const CREATE_BATCH = /* GraphQL */ `
  mutation Create($input: CreateBatchInput!) { createBatch(input: $input) { ${BATCH_FIELDS} } }
`;

export const UPDATE_BATCH = /* GraphQL */ `
  mutation Update($id: ID!, $version: Int!, $input: UpdateBatchInput!) {
    updateBatch(id: $id, version: $version, input: $input) { id version productName plannedQuantity actualQuantity }
  }
`;

export const CHANGE_STATUS = /* GraphQL */ `
  mutation Change($id: ID!, $status: BatchStatus!, $reason: String, $actualQuantity: Float, $version: Int) {
    changeBatchStatus(id: $id, status: $status, reason: $reason, actualQuantity: $actualQuantity, version: $version) {
      id status version actualQuantity yield
    }
  }
`;

export const ADVANCE_STAGE = /* GraphQL */ `
  mutation Advance($id: ID!, $version: Int) { advanceBatchStage(id: $id, version: $version) { id stage version } }
`;

/** A valid new batch; `overrides` change some fields. */
export const batchInput = (batchNumber: string, overrides: Record<string, unknown> = {}) => ({
  batchNumber,
  productCode: "PARA-500",
  productName: "Paracetamol 500 mg tablets",
  plannedQuantity: 1000,
  unit: "kg",
  ...overrides,
});

export const STAGE_HISTORY = /* GraphQL */ `
  query StageHistory($id: ID!) { batch(id: $id) { stage stageHistory { id fromStage toStage changedBy { id } changedAt } } }
`;
