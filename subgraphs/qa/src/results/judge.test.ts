import { describe, expect, it } from "vitest";
import { Prisma } from "../../../../generated/prisma/client.js";
import { judge, type JudgedTest } from "./judge.js";

const decimal = (value: number | null) => (value === null ? null : new Prisma.Decimal(value));
const numeric = (lower: number | null, upper: number | null, unit: string | null = "%"): JudgedTest => ({
  code: "ASSAY",
  unit,
  lowerLimit: decimal(lower),
  upperLimit: decimal(upper),
  expectedText: null,
});
const text = (expectedText: string): JudgedTest => ({ code: "APPEARANCE", unit: null, lowerLimit: null, upperLimit: null, expectedText });

const verdict = (test: JudgedTest, value: string) => {
  const { passed, numericValue } = judge(test, value);
  return { passed, numericValue: numericValue?.toFixed() ?? null };
};

describe("judge", () => {
  it("passes a number within both limits, the limits included", () => {
    const assay = numeric(95, 105);
    expect(verdict(assay, "98.5")).toEqual({ passed: true, numericValue: "98.5" });
    expect(verdict(assay, "95")).toEqual({ passed: true, numericValue: "95" });
    expect(verdict(assay, "105.000")).toEqual({ passed: true, numericValue: "105" });
    expect(verdict(assay, " +100 ")).toEqual({ passed: true, numericValue: "100" });
  });

  it("fails a number outside the limits, however slightly", () => {
    const assay = numeric(95, 105);
    expect(verdict(assay, "94.999999")).toEqual({ passed: false, numericValue: "94.999999" });
    expect(verdict(assay, "105.000001")).toEqual({ passed: false, numericValue: "105.000001" });
    expect(verdict(assay, "-1")).toEqual({ passed: false, numericValue: "-1" });
  });

  it("ignores an open limit", () => {
    expect(verdict(numeric(80, null), "1000")).toEqual({ passed: true, numericValue: "1000" });
    expect(verdict(numeric(80, null), "79.9")).toEqual({ passed: false, numericValue: "79.9" });
    expect(verdict(numeric(null, 1000, "cfu/g"), "0")).toEqual({ passed: true, numericValue: "0" });
    expect(verdict(numeric(null, 1000, "cfu/g"), "1001")).toEqual({ passed: false, numericValue: "1001" });
  });

  it("compares decimals exactly, not as floating point", () => {
    // 0.1 + 0.2 is 0.30000000000000004 in binary floating point.
    expect(verdict(numeric(0.1, 0.3), "0.3")).toEqual({ passed: true, numericValue: "0.3" });
  });

  it.each(["", "  ", "abc", "98,5", "1e2", "0x10", "98.5%", "Infinity", "NaN", ".5", "5.", "--1", "1 000"])("refuses %j for a numeric test", (value) => {
    expect(() => judge(numeric(95, 105), value)).toThrow(
      expect.objectContaining({
        message: `value of ASSAY must be a number (unit %), such as 98.5, got ${JSON.stringify(value)}`,
        extensions: { code: "BAD_USER_INPUT", field: "value", testCode: "ASSAY" },
      }),
    );
  });

  it("names no unit when the test has none", () => {
    expect(() => judge(numeric(0, 10, null), "ten")).toThrow('value of ASSAY must be a number, such as 98.5, got "ten"');
  });

  it("refuses a number the record cannot hold exactly", () => {
    const refusal = (value: string) => ({
      message: `value of ASSAY must have at most 12 digits before the point and 6 after it, got ${value}`,
      extensions: { code: "BAD_USER_INPUT", field: "value", testCode: "ASSAY" },
    });
    expect(() => judge(numeric(95, 105), "98.1234567")).toThrow(expect.objectContaining(refusal("98.1234567")));
    expect(() => judge(numeric(95, 105), "1000000000000")).toThrow(expect.objectContaining(refusal("1000000000000")));
    expect(verdict(numeric(null, 1e12), "999999999999.999999")).toEqual({ passed: true, numericValue: "999999999999.999999" });
  });

  it("passes a text test on the expected text, trimmed and without regard to case", () => {
    const appearance = text("Complies");
    expect(verdict(appearance, "Complies")).toEqual({ passed: true, numericValue: null });
    expect(verdict(appearance, "  COMPLIES ")).toEqual({ passed: true, numericValue: null });
    expect(verdict(appearance, "complies")).toEqual({ passed: true, numericValue: null });
    expect(verdict(appearance, "Does not comply")).toEqual({ passed: false, numericValue: null });
    expect(verdict(appearance, "Complie")).toEqual({ passed: false, numericValue: null });
  });

  it("takes any text for a text test, even one that looks like a number", () => {
    expect(verdict(text("1"), "1")).toEqual({ passed: true, numericValue: null });
    expect(verdict(text("1"), "1.0")).toEqual({ passed: false, numericValue: null });
  });
});
