import { apiError } from "../../../lib/errors.js";
import type { CreateBatchInput, UpdateBatchInput } from "./__generated__/resolvers-types.js";

/** A trimmed string that must not be blank, or BAD_USER_INPUT naming the field. */
function text(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed === "") throw apiError("BAD_USER_INPUT", `${field} must not be blank`, { field });
  return trimmed;
}

/** A finite quantity above (or, with `allowZero`, at) 0, or BAD_USER_INPUT naming the field. */
export function quantity(field: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw apiError("BAD_USER_INPUT", `${field} must be ${allowZero ? "0 or more" : "greater than 0"}, got ${value}`, { field });
  }
  return value;
}

/** The checked fields of a new batch. */
export function createFields(input: CreateBatchInput) {
  return {
    batchNumber: text("batchNumber", input.batchNumber),
    productCode: text("productCode", input.productCode),
    productName: text("productName", input.productName),
    plannedQuantity: quantity("plannedQuantity", input.plannedQuantity),
    unit: text("unit", input.unit),
  };
}

/** The checked changes of `updateBatch`: only the fields given (null means "keep"). */
export function updateFields(input: UpdateBatchInput) {
  const changes = {
    ...(input.productCode != null && { productCode: text("productCode", input.productCode) }),
    ...(input.productName != null && { productName: text("productName", input.productName) }),
    ...(input.plannedQuantity != null && { plannedQuantity: quantity("plannedQuantity", input.plannedQuantity) }),
    ...(input.actualQuantity != null && { actualQuantity: quantity("actualQuantity", input.actualQuantity, true) }),
    ...(input.unit != null && { unit: text("unit", input.unit) }),
  };
  if (Object.keys(changes).length === 0) throw apiError("BAD_USER_INPUT", "input changes nothing: give at least one field", { field: "input" });
  return changes;
}
