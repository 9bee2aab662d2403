import type { Request } from "express";
import { toCamelKeys } from "./caseConversion.js";
import type { RestResult } from "./route.js";

/** Mappings several tables share, so that each table entry only says what is its own. */

/** The snake_case JSON body as the graph's camelCase `input`; none without a body, for the graph to refuse. */
export const bodyInput = (req: Request): Record<string, unknown> | undefined => (req.body === undefined ? undefined : toCamelKeys(req.body));

/** 201 with the legacy JSON of what was created and `Location: <collection>/<id>`. */
export const created = (collection: string, id: string, body: unknown): RestResult => ({
  status: 201,
  body,
  headers: { location: `${collection}/${id}` },
});
