import { REST_STATUS } from "./errors.js";
import { object, string } from "./jsonSchema.js";
import type { JsonSchema, RestRoute } from "./route.js";

/** Where every service serves its OpenAPI document. */
export const OPENAPI_PATH = "/api/openapi.json";

/** What the document says about the service as a whole. */
export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

/** `/api/batches/:id` → `/api/batches/{id}`. */
export const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, "{$1}");

const REASONS: Record<number, string> = {
  400: "Malformed request: unreadable JSON, a body that is not a JSON object, or a Content-Type other than application/json.",
  401: "No valid bearer token (missing where required, invalid, expired or revoked).",
  403: "The caller's roles do not grant the scope this needs.",
  404: "No such resource.",
  409: "Conflict: a stale `version`, or a unique value already taken.",
  413: "Body larger than 1 MB.",
  422: "Invalid values, or a status transition the batch status machine does not allow; `details` names the field or the allowed statuses.",
  429: "Too many requests or failed sign-ins; `Retry-After` says when to try again.",
  500: "Internal error; the request id finds it in the logs.",
  503: "A service this needs is unavailable.",
};

const ERROR_SCHEMA: JsonSchema = {
  ...object({
    error: object(
      {
        code: string("Machine-readable code, the GraphQL `extensions.code`.", { enum: Object.keys(REST_STATUS) }),
        message: string("For people; safe to show."),
        details: { type: "object", description: "More about the error: `field`, `allowed`, `currentVersion`, `retryAfter`…" },
      },
      ["details"],
    ),
    request_id: string("The request id (`x-request-id`), to find the request in the logs."),
  }),
  description: "The one error body of every REST endpoint.",
};

const errorResponse = (status: number) => ({
  description: REASONS[status] ?? "Error.",
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

/** The routes every service serves besides its table: `/health` and the document itself. */
const FIXED_PATHS = {
  "/health": {
    get: {
      operationId: "getHealth",
      summary: "Whether the process is alive",
      tags: ["operations"],
      responses: {
        200: {
          description: "Alive.",
          content: { "application/json": { schema: object({ status: string("Always `ok`."), service: string("Which service answered.") }) } },
        },
      },
    },
  },
  [OPENAPI_PATH]: {
    get: {
      operationId: "getOpenApi",
      summary: "This document",
      tags: ["operations"],
      responses: { 200: { description: "The OpenAPI 3.1 document of this service's REST endpoints.", content: { "application/json": {} } } },
    },
  },
};

/** `get /api/batches/:id` → `getApiBatchesId`: unique as long as method and path are. */
const operationId = ({ method, path }: RestRoute) =>
  method +
  path
    .split(/[/:]/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");

function operation(route: RestRoute) {
  const success = {
    description: route.response.description,
    ...(route.response.schema ? { content: { "application/json": { schema: route.response.schema } } } : {}),
    ...(route.response.status === 201 ? { headers: { Location: { description: "Where the new resource is.", schema: string("Path.") } } } : {}),
  };
  return {
    operationId: operationId(route),
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(route.authenticated ? { security: [{ bearer: [] }] } : {}),
    ...(route.parameters?.length
      ? {
          parameters: route.parameters.map(({ required, ...parameter }) => ({ ...parameter, required: required ?? parameter.in === "path" })),
        }
      : {}),
    ...(route.body ? { requestBody: { required: route.body.required, content: { "application/json": { schema: route.body.schema } } } } : {}),
    responses: {
      [route.response.status]: success,
      ...Object.fromEntries([...route.errors, 500].map((status) => [status, errorResponse(status)])),
    },
  };
}

/** The OpenAPI 3.1 document of `routes`, plus `/health` and the document's own path. */
export function openApiDocument(routes: readonly RestRoute[], info: OpenApiInfo) {
  const paths: Record<string, Record<string, unknown>> = structuredClone(FIXED_PATHS);
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
  };
}
