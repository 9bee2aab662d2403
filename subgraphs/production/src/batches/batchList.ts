/**
 * `batches`: a filtered page in one of four orders, with keyset pagination (the cursor holds
 * the order and the last row's sort key, so a page costs the same wherever it starts).
 *
 * The dashboard's query: it is Prisma's raw SQL (`$queryRaw`), not `findMany`, because the
 * client engine compiles every `findMany` to SQL anew, which cost as much CPU as the rest of the
 * page (0.67 → 0.32 ms per 50-row page measured alone). Prisma's typed SQL (`$queryRawTyped`)
 * would need a database at `prisma generate`, which `npm ci` on a fresh clone has not.
 */
import { Prisma, type Batch, type PrismaClient } from "../../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";
import { checkOptionalText, checkText } from "#lib/graphql/text.js";
import { isUuid } from "#lib/graphql/ids.js";
import { decodeCursor, pageOffset, pageSize, toPage } from "#lib/graphql/pagination.js";
import type { BatchFilter, BatchOrder, QueryBatchesArgs } from "../__generated__/resolvers-types.js";
import { BATCH_COLUMNS } from "./batchColumns.js";
import { TEXT_RULES } from "./batchInput.js";

interface Order {
  /** The `ORDER BY` list. */
  orderBy: Prisma.Sql;
  /** The sort key of a row, unique within the order. */
  key(batch: Batch): string[];
  /** Whether `key` can be a key of this order (cursors come from clients). */
  valid(key: unknown[]): boolean;
  /** The condition of the rows after `key` in this order. */
  after(key: string[]): Prisma.Sql;
}

type Direction = "ASC" | "DESC";

/** The comparison of the rows that come after a key in `direction`. */
const beyond = (direction: Direction) => Prisma.raw(direction === "ASC" ? ">" : "<");

/** Created-at orders break ties by id, so that the key is unique (the index on both serves them). */
const byCreatedAt = (direction: Direction): Order => ({
  orderBy: Prisma.sql`created_at ${Prisma.raw(direction)}, id ${Prisma.raw(direction)}`,
  key: (b) => [b.createdAt.toISOString(), b.id],
  valid: ([at, id, ...rest]) => typeof at === "string" && !Number.isNaN(Date.parse(at)) && typeof id === "string" && isUuid(id) && rest.length === 0,
  after: ([at, id]) => Prisma.sql`(created_at, id) ${beyond(direction)} (${new Date(at!)}::timestamptz, ${id}::uuid)`,
});

/**
 * Whether a cursor's key could be a batch number: cursors come from clients, and a NUL byte or
 * an unpaired surrogate (a JSON escape decodes to either) would reach PostgreSQL, which
 * refuses them with an internal error.
 */
function isBatchNumber(key: string): boolean {
  try {
    return checkText("after", key, TEXT_RULES.batchNumber) === key;
  } catch {
    return false;
  }
}

const byNumber = (direction: Direction): Order => ({
  orderBy: Prisma.sql`batch_number ${Prisma.raw(direction)}`,
  key: (b) => [b.batchNumber],
  valid: (key) => key.length === 1 && typeof key[0] === "string" && isBatchNumber(key[0]),
  after: ([number]) => Prisma.sql`batch_number ${beyond(direction)} ${number}`,
});

const ORDERS: Record<BatchOrder, Order> = {
  CREATED_AT_DESC: byCreatedAt("DESC"),
  CREATED_AT_ASC: byCreatedAt("ASC"),
  BATCH_NUMBER_ASC: byNumber("ASC"),
  BATCH_NUMBER_DESC: byNumber("DESC"),
};

// A searched `%` or `_` must match itself, not act as a wildcard. Backslash is PostgreSQL's
// default LIKE escape.
const literal = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The conditions of the rows `filter` keeps: every field given must match. The product text is
 * checked first (length, control characters, unpaired surrogates): BAD_USER_INPUT, not a
 * database error. It matches a product code exactly or a product name in part, in any case.
 */
function batchConditions(filter: BatchFilter | null | undefined): Prisma.Sql[] {
  const product = checkOptionalText("product", filter?.product, TEXT_RULES.product);
  const from = filter?.createdFrom as Date | null | undefined;
  const to = filter?.createdTo as Date | null | undefined;
  return [
    ...(filter?.status ? [Prisma.sql`status = ${filter.status}::production."BatchStatus"`] : []),
    ...(filter?.stage ? [Prisma.sql`stage = ${filter.stage}::production."BatchStage"`] : []),
    ...(product ? [Prisma.sql`(product_code = ${product} OR product_name ILIKE ${`%${literal(product)}%`})`] : []),
    ...(from ? [Prisma.sql`created_at >= ${from}::timestamptz`] : []),
    ...(to ? [Prisma.sql`created_at < ${to}::timestamptz`] : []),
  ];
}

/** `WHERE` and every condition, or nothing when there is none. */
const where = (conditions: Prisma.Sql[]) => (conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty);

/** The sort key an `after` cursor holds, or BAD_USER_INPUT when it is not one of this order's. */
function cursorKey(after: string, order: BatchOrder): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeCursor(after));
  } catch {
    parsed = null;
  }
  const [madeFor, ...key] = Array.isArray(parsed) ? parsed : [];
  if (madeFor !== order || !ORDERS[order].valid(key)) {
    throw apiError("BAD_USER_INPUT", `after is not a cursor of this list in orderBy ${order}`, { field: "after" });
  }
  return key as string[];
}

/** One page of batches; the count of the whole filtered set only when `withCount`. */
export async function listBatches(prisma: PrismaClient, args: QueryBatchesArgs, withCount: boolean) {
  const size = pageSize(args.first);
  const orderName = args.orderBy ?? "CREATED_AT_DESC";
  const order = ORDERS[orderName];
  const conditions = batchConditions(args.filter);
  // The page's rows are also after the cursor; the count is of the whole filtered set.
  const rowConditions = args.after != null ? [...conditions, order.after(cursorKey(args.after, orderName))] : conditions;
  const skip = pageOffset(args.offset);
  const [rows, totalCount] = await Promise.all([
    prisma.$queryRaw<Batch[]>`
      SELECT ${BATCH_COLUMNS} FROM production.batches ${where(rowConditions)}
       ORDER BY ${order.orderBy} OFFSET ${skip} LIMIT ${size + 1}`,
    withCount ? prisma.$queryRaw<[{ n: number }]>`SELECT count(*)::int AS n FROM production.batches ${where(conditions)}`.then(([{ n }]) => n) : 0,
  ]);
  return { ...toPage(rows, size, (b) => JSON.stringify([orderName, ...order.key(b)])), totalCount };
}
