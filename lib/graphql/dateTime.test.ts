import { Kind } from "graphql";
import { describe, expect, it } from "vitest";
import { DateTime } from "./dateTime.js";

describe("DateTime", () => {
  it("reads RFC 3339 date-times with any offset and writes them in UTC", () => {
    expect(DateTime.parseValue("2026-11-30T12:00:00+01:00")).toEqual(new Date("2026-11-30T11:00:00Z"));
    expect(DateTime.parseLiteral({ kind: Kind.STRING, value: "0001-01-01T00:00:00.000Z" })).toEqual(new Date("0001-01-01T00:00:00Z"));
    expect(DateTime.serialize(new Date("2026-11-30T11:00:00Z"))).toBe("2026-11-30T11:00:00.000Z");
  });

  it("refuses loose, malformed and out-of-range values with a message saying what it expects", () => {
    for (const value of ["1", "2026", "2026-11-30", "yesterday", "2026-13-01T00:00:00Z", 1_700_000_000]) {
      expect(() => DateTime.parseValue(value)).toThrow(/^DateTime expects an RFC 3339 date-time/);
    }
    expect(() => DateTime.parseValue("+275760-09-13T00:00:00Z")).toThrow(/^DateTime expects/);
    expect(() => DateTime.parseLiteral({ kind: Kind.STRING, value: "0000-12-31T23:59:59Z" })).toThrow(
      "DateTime must lie between the years 1 and 9999, got 0000-12-31T23:59:59Z",
    );
    expect(() => DateTime.parseLiteral({ kind: Kind.INT, value: "1" })).toThrow("DateTime literals are RFC 3339 strings");
  });
});
