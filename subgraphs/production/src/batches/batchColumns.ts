import { Prisma } from "../../../../generated/prisma/client.js";

/**
 * The columns of `production.batches` under the names of Prisma's `Batch`, for the `RETURNING`
 * of a raw statement: its rows are then `Batch`es (quantities as decimals, times as dates).
 */
export const BATCH_COLUMNS = Prisma.sql`
  id, batch_number AS "batchNumber", product_code AS "productCode", product_name AS "productName",
  planned_quantity AS "plannedQuantity", actual_quantity AS "actualQuantity", unit, status, stage,
  created_by AS "createdById", created_at AS "createdAt", updated_at AS "updatedAt", version`;
