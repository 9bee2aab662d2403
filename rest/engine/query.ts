import type { Request } from "express";
import { integer } from "./jsonSchema.js";
import { RestError } from "./errors.js";
import type { RestParameter, RestResult } from "./route.js";

/** Page size when `limit` is absent: the graph's default page size. */
export const DEFAULT_LIMIT = 20;

/** One query-string value; the last one when repeated. */
export function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  const last = Array.isArray(value) ? value.at(-1) : value;
  return typeof last === "string" && last !== "" ? last : undefined;
}

/**
 * A query-string integer. Anything else is passed on as the string it is, so that the graph
 * refuses it (422) with its own message, as it would over GraphQL.
 */
export function queryInt(req: Request, name: string): number | string | undefined {
  const value = queryString(req, name);
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : value;
}

/** A query-string boolean, `true` or `false`; anything else goes on to the graph to be refused. */
export function queryBoolean(req: Request, name: string): boolean | string | undefined {
  const value = queryString(req, name);
  return value === "true" ? true : value === "false" ? false : value;
}

/**
 * `page` (from 1) and `limit` as the graph's `first` and `offset`. `page` exists only in REST,
 * so it is checked here; `limit` is the graph's `first`, checked by the graph (0 to 100).
 */
export function pageVariables(req: Request) {
  const page = queryInt(req, "page") ?? 1;
  if (typeof page !== "number" || page < 1) {
    throw new RestError("BAD_USER_INPUT", `page must be an integer from 1, got ${String(page)}`, { field: "page" });
  }
  const limit = queryInt(req, "limit") ?? DEFAULT_LIMIT;
  const offset = typeof limit === "number" ? (page - 1) * limit : 0;
  return { page, limit, variables: { first: limit, offset } };
}

/** A GraphQL connection as the legacy page `{ items, total, page, limit }`, each node mapped by `legacy`. */
export function legacyPage<T>(req: Request, connection: { nodes: T[]; totalCount: number }, legacy: (node: T) => unknown): RestResult {
  const { page, limit } = pageVariables(req);
  return { status: 200, body: { items: connection.nodes.map(legacy), total: connection.totalCount, page, limit } };
}

/** The OpenAPI parameters of {@link pageVariables}. */
export const PAGE_PARAMETERS: RestParameter[] = [
  { name: "page", in: "query", description: "Page number, from 1.", schema: integer("Page number.", { minimum: 1, default: 1 }) },
  {
    name: "limit",
    in: "query",
    description: "Page size, from 0 to 100.",
    schema: integer("Page size.", { minimum: 0, maximum: 100, default: DEFAULT_LIMIT }),
  },
];
