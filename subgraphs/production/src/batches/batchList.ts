/**
 * `batches`: a filtered page in one of four orders, with keyset pagination (the cursor holds
 * the order and the last row's sort key, so a page costs the same wherever it starts).
 */
import type { Batch, Prisma, PrismaClient } from "../../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";
import { checkOptionalText, checkText } from "#lib/graphql/text.js";
import { isUuid } from "#lib/graphql/ids.js";
import { decodeCursor, pageOffset, pageSize, toPage } from "#lib/graphql/pagination.js";
import type { BatchFilter, BatchOrder, QueryBatchesArgs } from "../__generated__/resolvers-types.js";
import { TEXT_RULES } from "./batchInput.js";

interface Order {
  orderBy: Prisma.BatchOrderByWithRelationInput[];
  /** The sort key of a row, unique within the order. */
  key(batch: Batch): string[];
  /** Whether `key` can be a key of this order (cursors come from clients). */
  valid(key: unknown[]): boolean;
  /** The rows after `key` in this order. */
  after(key: string[]): Prisma.BatchWhereInput;
}

/** Created-at orders break ties by id, so that the key is unique. */
const byCreatedAt = (direction: "asc" | "desc"): Order => {
  const beyond = direction === "asc" ? "gt" : "lt";
  return {
    orderBy: [{ createdAt: direction }, { id: direction }],
    key: (b) => [b.createdAt.toISOString(), b.id],
    valid: ([at, id, ...rest]) => typeof at === "string" && !Number.isNaN(Date.parse(at)) && typeof id === "string" && isUuid(id) && rest.length === 0,
    after: ([at, id]) => ({ OR: [{ createdAt: { [beyond]: new Date(at!) } }, { createdAt: new Date(at!), id: { [beyond]: id } }] }),
  };
};

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

const byNumber = (direction: "asc" | "desc"): Order => ({
  orderBy: [{ batchNumber: direction }],
  key: (b) => [b.batchNumber],
  valid: (key) => key.length === 1 && typeof key[0] === "string" && isBatchNumber(key[0]),
  after: ([number]) => ({ batchNumber: { [direction === "asc" ? "gt" : "lt"]: number } }),
});

const ORDERS: Record<BatchOrder, Order> = {
  CREATED_AT_DESC: byCreatedAt("desc"),
  CREATED_AT_ASC: byCreatedAt("asc"),
  BATCH_NUMBER_ASC: byNumber("asc"),
  BATCH_NUMBER_DESC: byNumber("desc"),
};

// Prisma sends `contains` as LIKE without escaping (prisma/orm#19506): a searched `%` or `_`
// must match itself, not act as a wildcard. Backslash is PostgreSQL's default LIKE escape.
const literal = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The rows `filter` keeps: every field given must match. The product text is checked first
 * (length, control characters, unpaired surrogates): BAD_USER_INPUT, not a database error.
 */
export function batchWhere(filter: BatchFilter | null | undefined): Prisma.BatchWhereInput {
  const product = checkOptionalText("product", filter?.product, TEXT_RULES.product);
  const from = filter?.createdFrom as Date | null | undefined;
  const to = filter?.createdTo as Date | null | undefined;
  return {
    ...(filter?.status ? { status: filter.status } : {}),
    ...(filter?.stage ? { stage: filter.stage } : {}),
    ...(product ? { OR: [{ productCode: product }, { productName: { contains: literal(product), mode: "insensitive" as const } }] } : {}),
    ...(from || to ? { createdAt: { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } } : {}),
  };
}

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
  const where = batchWhere(args.filter);
  const [rows, totalCount] = await Promise.all([
    prisma.batch.findMany({
      where: args.after != null ? { AND: [where, order.after(cursorKey(args.after, orderName))] } : where,
      orderBy: order.orderBy,
      skip: pageOffset(args.offset),
      take: size + 1,
    }),
    withCount ? prisma.batch.count({ where }) : 0,
  ]);
  return { ...toPage(rows, size, (b) => JSON.stringify([orderName, ...order.key(b)])), totalCount };
}
