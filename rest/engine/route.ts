import type { Request } from "express";

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

/** The GraphQL operation a route runs: one document, and the operation of it to run. */
export interface RestOperation {
  query: string;
  /** Needed when the document holds several operations. */
  operationName?: string;
  variables: Record<string, unknown>;
}

/**
 * One legacy REST endpoint as a thin adapter over the graph: it maps the HTTP request to a
 * GraphQL operation and the operation's data to the legacy JSON. Validation, authorization
 * and status transitions stay in the subgraphs, so REST and GraphQL can never disagree.
 */
export interface RestRoute<TData = any> {
  method: "get" | "post" | "put" | "delete";
  /** Express path, `/api/batches/:id`; OpenAPI gets `/api/batches/{id}`. */
  path: string;
  /** One line for OpenAPI. */
  summary: string;
  /** Longer OpenAPI description: how fields map, what runs in which order. */
  description?: string;
  /** OpenAPI tag grouping the routes of one service. */
  tag: string;
  /** The GraphQL document (tagged `/* GraphQL *\/`), answered by the graph. */
  operation: string;
  /** Which operation of `operation` to run for this request; default its only one. */
  operationName?(req: Request): string;
  /** Path parameters, query and body (snake_case) mapped to the operation's variables (camelCase). */
  variables(req: Request): Record<string, unknown>;
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
