import { GraphQLScalarType, Kind } from "graphql";

// RFC 3339 date-time: a date, a time and an offset (`Z` or `±hh:mm`); fractions of a second optional.
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
/** The range PostgreSQL, Prisma and ISO 8601 strings all hold: years 1 to 9999. */
const EARLIEST = new Date("0001-01-01T00:00:00Z").getTime();
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function toDate(value: unknown): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  const date = typeof value === "string" && RFC_3339.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new TypeError(`DateTime expects an RFC 3339 date-time such as 2026-11-30T12:00:00Z, got ${JSON.stringify(value)?.slice(0, 64)}`);
  }
  if (date.getTime() < EARLIEST || date.getTime() > LATEST) throw new TypeError(`DateTime must lie between the years 1 and 9999, got ${value}`);
  return date;
}

/** `DateTime`: a `Date` inside, an RFC 3339 string in UTC on the wire (years 1 to 9999). */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  description: "A point in time, as an RFC 3339 (ISO 8601) string such as `2026-11-30T12:00:00Z`, years 1 to 9999.",
  serialize: (value) => toDate(value).toISOString(),
  parseValue: toDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError("DateTime literals are RFC 3339 strings");
    return toDate(ast.value);
  },
});
