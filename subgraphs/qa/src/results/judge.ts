import { Prisma } from "../../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";

/** What judging needs of a specification test. */
export interface JudgedTest {
  code: string;
  unit: string | null;
  lowerLimit: Prisma.Decimal | null;
  upperLimit: Prisma.Decimal | null;
  expectedText: string | null;
}

/** The verdict on one value: whether it passed, and the number of a numeric test's value. */
export interface Judgement {
  passed: boolean;
  numericValue: Prisma.Decimal | null;
}

// A plain decimal with an optional sign: `98.5`, `-1`, `+0.25`. No exponent, no thousands
// separator, no decimal comma: an analyst's entry that is not plainly a number is refused, not guessed.
const PLAIN_DECIMAL = /^[+-]?\d+(\.\d+)?$/;

/** What the `numeric_value` column (`NUMERIC(18, 6)`) holds exactly. */
const NUMBER = { decimals: 6, integerDigits: 12 } as const;

/** Whether the test is judged by limits (a number) rather than by an expected text. */
export const isNumericTest = (test: JudgedTest) => test.lowerLimit !== null || test.upperLimit !== null;

function parseNumber(test: JudgedTest, value: string): Prisma.Decimal {
  const refuse = (message: string) => apiError("BAD_USER_INPUT", message, { field: "value", testCode: test.code });
  const trimmed = value.trim();
  if (!PLAIN_DECIMAL.test(trimmed)) {
    throw refuse(`value of ${test.code} must be a number${test.unit ? ` (unit ${test.unit})` : ""}, such as 98.5, got ${JSON.stringify(value)}`);
  }
  const number = new Prisma.Decimal(trimmed);
  if (number.decimalPlaces() > NUMBER.decimals || number.abs().greaterThanOrEqualTo(new Prisma.Decimal(10).pow(NUMBER.integerDigits))) {
    throw refuse(`value of ${test.code} must have at most ${NUMBER.integerDigits} digits before the point and ${NUMBER.decimals} after it, got ${trimmed}`);
  }
  return number;
}

/**
 * Judges a value against a test, as recorded: a numeric test's value must be a plain decimal
 * (BAD_USER_INPUT otherwise) and passes within its limits, both inclusive, an open limit
 * ignored; a text test's value passes when, trimmed, it equals the expected text without
 * regard to case. Pure: the same value and test always give the same verdict.
 */
export function judge(test: JudgedTest, value: string): Judgement {
  if (isNumericTest(test)) {
    const number = parseNumber(test, value);
    const passed =
      (test.lowerLimit === null || number.greaterThanOrEqualTo(test.lowerLimit)) && (test.upperLimit === null || number.lessThanOrEqualTo(test.upperLimit));
    return { passed, numericValue: number };
  }
  // Lower-cased without a locale: the verdict must not depend on the server's language.
  const passed = value.trim().toLowerCase() === (test.expectedText ?? "").trim().toLowerCase();
  return { passed, numericValue: null };
}
