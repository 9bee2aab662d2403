import { randomUUID } from "node:crypto";
import type { Batch } from "../../../../generated/prisma/client.js";
import { Prisma } from "../../../../generated/prisma/client.js";

/** The master data `updateBatch` may change, by GraphQL field name (the change history's `field`). */
export interface MasterDataChanges {
  productCode?: string;
  productName?: string;
  plannedQuantity?: number;
  actualQuantity?: number;
  unit?: string;
}

/** One entry of the change history, before its author and time are added. */
export interface FieldChange {
  field: keyof MasterDataChanges;
  oldValue: string | null;
  newValue: string;
}

/** A value as the history keeps it: text, quantities in plain decimal notation as the column holds them. */
const asText = (value: string | number | Prisma.Decimal | null): string | null =>
  value === null ? null : typeof value === "string" ? value : new Prisma.Decimal(value).toFixed();

/**
 * The fields of `changes` whose value differs from the batch's, with both values as text, in
 * a fixed order. Quantities are compared as decimals, so 250.5 and 250.500 are the same.
 */
export function fieldChanges(batch: Batch, changes: MasterDataChanges): FieldChange[] {
  const entries: FieldChange[] = [];
  for (const field of ["productCode", "productName", "plannedQuantity", "actualQuantity", "unit"] as const) {
    const next = changes[field];
    if (next === undefined) continue;
    const oldValue = asText(batch[field]);
    const newValue = asText(next)!;
    if (oldValue !== newValue) entries.push({ field, oldValue, newValue });
  }
  return entries;
}

/**
 * The rows of one change for the history table. They share one time, and the history is read
 * oldest first by (time, id): their ids are taken in ascending order so that the fields keep
 * the order of {@link fieldChanges}.
 */
export function historyRows(changes: FieldChange[], entry: { batchId: string; reason: string | null; changedById: string; changedAt: Date }) {
  const ids = changes.map(() => randomUUID()).sort();
  return changes.map((change, i) => ({ id: ids[i]!, ...entry, ...change }));
}
