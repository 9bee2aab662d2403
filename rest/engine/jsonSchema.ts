import type { JsonSchema } from "./route.js";

/** Small builders for the JSON Schemas of the REST tables, so that each table reads as a list of fields. */

export const string = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: "string", description, ...extra });
export const integer = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: "integer", description, ...extra });
export const number = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: "number", description, ...extra });
export const boolean = (description: string): JsonSchema => ({ type: "boolean", description });

/** `schema`, or JSON `null`. */
export const nullable = (schema: JsonSchema): JsonSchema => ({ ...schema, type: [schema.type, "null"] });

/** An array of `items`. */
export const array = (items: JsonSchema, description: string): JsonSchema => ({ type: "array", items, description });

/** An object with exactly these `properties`, all of them in `required` unless listed as optional. */
export function object(properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  return {
    type: "object",
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    additionalProperties: false,
  };
}

/** The legacy page of a list endpoint: `{ items, total, page, limit }`. */
export const page = (item: JsonSchema, what: string): JsonSchema =>
  object({
    items: array(item, `The ${what} of this page.`),
    total: integer(`How many ${what} match the filters, over all pages.`),
    page: integer("This page's number, from 1."),
    limit: integer("The page size asked for."),
  });
