import { Prisma } from "../../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";
import { checkOptionalText, checkText, type TextRule } from "#lib/graphql/text.js";
import type { PublishSpecificationInput, SpecificationTestInput } from "../__generated__/resolvers-types.js";

/** The longest text each specification input accepts, in characters. */
export const SPECIFICATION_TEXT = {
  productCode: { max: 64 },
  code: { max: 32 },
  name: { max: 200 },
  method: { max: 200 },
  unit: { max: 32 },
  expectedText: { max: 200 },
  /** Why the version was made: it stays with the version forever. */
  note: { max: 2000, multiline: true },
} satisfies Record<string, TextRule>;

/** Most tests in one version: a monograph has a few dozen at most. */
export const MAX_TESTS = 100;

/**
 * What the limit columns (`NUMERIC(18, 6)`) store exactly: six decimals, twelve digits before
 * the point. A limit with more decimals would be rounded silently, a larger one fails in
 * PostgreSQL, so both are refused.
 */
export const LIMIT = { decimals: 6, integerDigits: 12 } as const;

/** A checked test of a new version, ready to store (`position` is its index). */
export interface CheckedTest {
  code: string;
  name: string;
  method: string;
  unit: string | null;
  lowerLimit: Prisma.Decimal | null;
  upperLimit: Prisma.Decimal | null;
  expectedText: string | null;
  position: number;
}

/** A checked new specification version. */
export interface CheckedSpecification {
  productCode: string;
  note: string | null;
  tests: CheckedTest[];
}

const refuse = (field: string, message: string, extensions: Record<string, unknown> = {}) => apiError("BAD_USER_INPUT", message, { field, ...extensions });

function limit(field: string, value: number | null | undefined): Prisma.Decimal | null {
  if (value == null) return null;
  // Decimal reads the shortest decimal form of the double, the digits the client sent.
  const number = Number.isFinite(value) ? new Prisma.Decimal(value) : null;
  if (!number || number.decimalPlaces() > LIMIT.decimals || number.abs().greaterThanOrEqualTo(new Prisma.Decimal(10).pow(LIMIT.integerDigits))) {
    throw refuse(field, `${field} must be a number with at most ${LIMIT.integerDigits} digits before the point and ${LIMIT.decimals} after it, got ${value}`, {
      maxDecimals: LIMIT.decimals,
    });
  }
  return number;
}

function checkTest(test: SpecificationTestInput, position: number): CheckedTest {
  const at = `tests[${position}]`;
  const text = (name: "code" | "name" | "method", value: string) => checkText(`${at}.${name}`, value, SPECIFICATION_TEXT[name]);
  const code = text("code", test.code).toUpperCase();
  const lowerLimit = limit(`${at}.lowerLimit`, test.lowerLimit);
  const upperLimit = limit(`${at}.upperLimit`, test.upperLimit);
  const expectedText = checkOptionalText(`${at}.expectedText`, test.expectedText, SPECIFICATION_TEXT.expectedText) ?? null;
  const numeric = lowerLimit !== null || upperLimit !== null;
  if (numeric && expectedText !== null) {
    throw refuse(`${at}.expectedText`, `${at} (${code}) has limits and an expected text: give one or the other`);
  }
  if (!numeric && expectedText === null) {
    throw refuse(`${at}.lowerLimit`, `${at} (${code}) needs limits (lowerLimit, upperLimit or both) or an expectedText`);
  }
  if (lowerLimit !== null && upperLimit !== null && lowerLimit.greaterThan(upperLimit)) {
    throw refuse(`${at}.lowerLimit`, `${at} (${code}) has lowerLimit ${lowerLimit.toFixed()} above upperLimit ${upperLimit.toFixed()}`);
  }
  return {
    code,
    name: text("name", test.name),
    method: text("method", test.method),
    unit: checkOptionalText(`${at}.unit`, test.unit, SPECIFICATION_TEXT.unit) ?? null,
    lowerLimit,
    upperLimit,
    expectedText,
    position,
  };
}

/**
 * A new specification version checked before it reaches the database: texts trimmed and
 * bounded, 1 to {@link MAX_TESTS} tests with unique codes (upper-cased), each with limits
 * (lower ≤ upper, either may be open) or an expected text, never both. Throws BAD_USER_INPUT
 * naming the field, `tests[2].lowerLimit`.
 */
export function checkSpecification(input: PublishSpecificationInput): CheckedSpecification {
  const productCode = checkText("productCode", input.productCode, SPECIFICATION_TEXT.productCode);
  const note = checkOptionalText("note", input.note, SPECIFICATION_TEXT.note) ?? null;
  if (input.tests.length === 0) throw refuse("tests", "a specification needs at least one test");
  if (input.tests.length > MAX_TESTS) {
    throw refuse("tests", `a specification has at most ${MAX_TESTS} tests, got ${input.tests.length}`, { maxLength: MAX_TESTS });
  }
  const tests = input.tests.map(checkTest);
  const seen = new Map<string, number>();
  for (const test of tests) {
    const first = seen.get(test.code);
    if (first !== undefined) {
      throw refuse(`tests[${test.position}].code`, `test code ${test.code} is used twice (tests[${first}] and tests[${test.position}])`);
    }
    seen.set(test.code, test.position);
  }
  return { productCode, note, tests };
}
