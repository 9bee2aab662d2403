/**
 * Legacy clients speak snake_case JSON, the graph camelCase. Keys are converted deeply;
 * values (enum values such as `QA_HOLD`, ids, emails) are never touched.
 */

// GraphQL results are null-prototype objects; class instances (a Date) are values, not records.
const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** `batch_number` → `batchNumber`. */
export const camelCase = (key: string): string => key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** `batchNumber` → `batch_number`. */
export const snakeCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function convertKeys(value: unknown, convert: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => convertKeys(item, convert));
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [convert(key), convertKeys(item, convert)]));
}

/** A snake_case request body as the graph's camelCase input. */
export const toCamelKeys = <T = Record<string, unknown>>(value: unknown): T => convertKeys(value, camelCase) as T;

/** The graph's camelCase data as legacy snake_case JSON. */
export const toSnakeKeys = <T = Record<string, unknown>>(value: unknown): T => convertKeys(value, snakeCase) as T;
