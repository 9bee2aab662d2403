import type { Request } from "express";
import type { OperationCall } from "./operation.js";

/** A JSON Schema (draft 2020-12, the dialect OpenAPI 3.1 embeds). */
export type JsonSchema = Record<string, unknown>;

/** A path or query parameter, for the OpenAPI document. */
export interface RestParameter {
  name: string;
  in: "path" | "query";
  description: string;
  schema: JsonSchema;
  /** Default: `true` for path parameters, `false` for query parameters. */
  required?: boolean;
}

/** What a route answers once its operation succeeded. */
export interface RestResult {
  status: number;
  /** The legacy JSON body; none for 204. */
  body?: unknown;
  /** More response headers, `Location` for a 201. */
  headers?: Record<string, string>;
}

/** The GraphQL request a route sends to the graph. */
export interface RestOperation {
  /** The document's text: one operation and the fragments it spreads. */
  query: string;
  variables: Record<string, unknown>;
}

/**
 * One legacy REST endpoint as a thin adapter over the graph: it maps the HTTP request to a
 * GraphQL operation and the operation's data to the legacy JSON. Validation, authorization
 * and status transitions stay in the subgraphs, so REST and GraphQL can never disagree.
 */
export interface RestRoute<TData = unknown> {
  method: "get" | "post" | "put" | "delete";
  /** Express path, `/api/batches/:id`; OpenAPI gets `/api/batches/{id}`. */
  path: string;
  /** One line for OpenAPI. */
  summary: string;
  /** Longer OpenAPI description: how fields map, what runs in which order. */
  description?: string;
  /** OpenAPI tag grouping the routes of one service. */
  tag: string;
  /**
   * The GraphQL operation a request runs, answered by the graph: `run(graphql(...), variables)`,
   * a document typed by codegen and the path parameters, query and body (snake_case) mapped to
   * its variables (camelCase). A route may choose among documents of one result shape by request.
   */
  operation(req: Request): OperationCall<TData>;
  /** The operation's data mapped to the legacy response; throw {@link RestError} for a null meaning 404. */
  result(data: TData, req: Request): RestResult;
  /** Path and query parameters. */
  parameters?: RestParameter[];
  /** The JSON request body, when the route takes one. */
  body?: { schema: JsonSchema; required: boolean };
  /** The success response. */
  response: { status: number; description: string; schema?: JsonSchema };
  /** Error statuses this route can answer, besides 500 (which every route can). */
  errors: number[];
  /** Whether the route needs `Authorization: Bearer`; for the documentation, the graph decides. */
  authenticated: boolean;
}

/**
 * A table entry, its operation's result type inferred from `operation` and checked in
 * `result`; a table lists routes of different results as `RestRoute`.
 */
export const restRoute = <TData>(route: RestRoute<TData>): RestRoute => route;
