import { Prisma } from "../../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";
import { checkOptionalText, checkText, type TextRule } from "#lib/graphql/text.js";
import type { CreateBatchInput, UpdateBatchInput } from "../__generated__/resolvers-types.js";

/**
 * The longest text each production input accepts, in characters (the SDL descriptions state
 * the same numbers). A batch number is a unique index key: far below PostgreSQL's limit on
 * an index row (about 2,700 bytes), which would otherwise end in an internal error.
 */
export const TEXT_RULES = {
  batchNumber: { max: 64 },
  productCode: { max: 64 },
  productName: { max: 200 },
  unit: { max: 32 },
  /** A reason goes into an append-only record, forever: a page of text, not a document. */
  reason: { max: 1000, multiline: true },
  /** `batches(filter: { product })` and the REST `search`. */
  product: { max: 200 },
} satisfies Record<string, TextRule>;

/**
 * What the quantity columns (`NUMERIC(14, 3)`) store: three decimals, eleven digits before
 * the point. A value with more decimals would be rounded silently (0.0004 became 0), a
 * larger one fails in PostgreSQL, so both are refused before they get there.
 */
export const QUANTITY = { decimals: 3, smallest: 0.001, max: 99_999_999_999.999 } as const;

/**
 * A quantity the columns store exactly: at least 0.001 (or, with `allowZero`, 0), at most
 * 99,999,999,999.999, with at most 3 decimals. Not rounded: a quantity on a GMP record is what
 * was entered, or it is refused (BAD_USER_INPUT naming the field and the bounds).
 */
export function quantity(field: string, value: number, allowZero = false): number {
  const min = allowZero ? 0 : QUANTITY.smallest;
  // Decimal reads the shortest decimal form of the double, the digits the client sent.
  const decimals = Number.isFinite(value) ? new Prisma.Decimal(value).decimalPlaces() : Infinity;
  if (!(value >= min && value <= QUANTITY.max) || decimals > QUANTITY.decimals) {
    throw apiError("BAD_USER_INPUT", `${field} must be from ${min} to ${QUANTITY.max} with at most ${QUANTITY.decimals} decimals, got ${value}`, {
      field,
      min,
      max: QUANTITY.max,
      maxDecimals: QUANTITY.decimals,
    });
  }
  return value;
}

/** A free-text field of a batch, trimmed and checked against its rule in {@link TEXT_RULES}. */
export const batchText = (field: keyof typeof TEXT_RULES, value: string) => checkText(field, value, TEXT_RULES[field]);

/** An optional reason: trimmed, blank is null, at most 1000 characters. */
export const reasonText = (value: string | null | undefined) => checkOptionalText("reason", value, TEXT_RULES.reason) ?? null;

/** The checked fields of a new batch. */
export function createFields(input: CreateBatchInput) {
  return {
    batchNumber: batchText("batchNumber", input.batchNumber),
    productCode: batchText("productCode", input.productCode),
    productName: batchText("productName", input.productName),
    plannedQuantity: quantity("plannedQuantity", input.plannedQuantity),
    unit: batchText("unit", input.unit),
  };
}

/** The checked changes of `updateBatch`: only the fields given (null means "keep"). */
export function updateFields(input: UpdateBatchInput) {
  const changes = {
    ...(input.productCode != null && { productCode: batchText("productCode", input.productCode) }),
    ...(input.productName != null && { productName: batchText("productName", input.productName) }),
    ...(input.plannedQuantity != null && { plannedQuantity: quantity("plannedQuantity", input.plannedQuantity) }),
    ...(input.actualQuantity != null && { actualQuantity: quantity("actualQuantity", input.actualQuantity, true) }),
    ...(input.unit != null && { unit: batchText("unit", input.unit) }),
  };
  if (Object.keys(changes).length === 0) throw apiError("BAD_USER_INPUT", "input changes nothing: give at least one field", { field: "input" });
  return changes;
}
