import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";
import { apiError } from "../errors.js";

/** Largest page a client may ask for. */
export const MAX_PAGE_SIZE = 100;
/** Page size when `first` is null (the SDL default covers an omitted `first`). */
export const DEFAULT_PAGE_SIZE = 20;

/** The page size asked for, or BAD_USER_INPUT naming the limit. */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw apiError("BAD_USER_INPUT", `first must be between 0 and ${MAX_PAGE_SIZE}, got ${size}`, { field: "first" });
  }
  return size;
}

/** The rows to skip before a page (`offset`, for page-numbered clients), or BAD_USER_INPUT. */
export function pageOffset(offset: number | null | undefined): number {
  const skip = offset ?? 0;
  if (!Number.isInteger(skip) || skip < 0) {
    throw apiError("BAD_USER_INPUT", `offset must be 0 or more, got ${skip}`, { field: "offset" });
  }
  return skip;
}

/**
 * An opaque cursor for a position in a list ordered by a unique string key. Clients must not
 * read it: base64url keeps it out of sight and lets the key change form later.
 */
export const encodeCursor = (key: string): string => Buffer.from(JSON.stringify({ k: key })).toString("base64url");

/** The key a cursor from {@link encodeCursor} stands for, or BAD_USER_INPUT. */
export function decodeCursor(cursor: string): string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    const key = (decoded as { k?: unknown } | null)?.k;
    if (typeof key === "string") return key;
  } catch {
    // falls through to the client error below
  }
  throw apiError("BAD_USER_INPUT", "after is not a cursor returned by this API", { field: "after" });
}

/**
 * One page cut from `rows`, which were fetched with one row more than `size` to see what
 * follows. An edge's cursor is made when it is read: most clients read `endCursor` only.
 */
export function toPage<T>(rows: T[], size: number, keyOf: (row: T) => string) {
  const nodes = rows.slice(0, size);
  const edges = nodes.map((node) => ({
    node,
    get cursor() {
      return encodeCursor(keyOf(node));
    },
  }));
  const last = nodes.at(-1);
  return { edges, nodes, pageInfo: { hasNextPage: rows.length > size, endCursor: last === undefined ? null : encodeCursor(keyOf(last)) } };
}

/**
 * Whether the client selected `field` directly under the current field, fragments included,
 * so that work for a field nobody asked for (a count) can be skipped.
 */
export function selects(info: GraphQLResolveInfo, field: string): boolean {
  const within = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((s) =>
      s.kind === Kind.FIELD
        ? s.name.value === field
        : s.kind === Kind.INLINE_FRAGMENT
          ? within(s.selectionSet)
          : within(info.fragments[s.name.value]?.selectionSet),
    );
  return info.fieldNodes.some((node) => within(node.selectionSet));
}
