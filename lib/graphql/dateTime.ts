import { GraphQLScalarType, Kind } from "graphql";

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new TypeError(`DateTime expects an ISO 8601 date-time, got ${String(value)}`);
  return date;
}

/** `DateTime`: a `Date` inside, an ISO 8601 string in UTC on the wire. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  description: "A point in time, as an ISO 8601 string in UTC.",
  serialize: (value) => toDate(value).toISOString(),
  parseValue: toDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError("DateTime literals are ISO 8601 strings");
    return toDate(ast.value);
  },
});
