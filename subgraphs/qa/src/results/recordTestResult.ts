import type { Specification, SpecificationTest, TestResult } from "../../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";
import { isUuid } from "#lib/graphql/ids.js";
import { checkText } from "#lib/graphql/text.js";
import { TRANSACTION_OPTIONS } from "#lib/prisma.js";
import type { RecordTestResultInput } from "../__generated__/resolvers-types.js";
import { lockUndecidedBatch } from "../batches/batchLock.js";
import type { ProductionBatch } from "../batches/productionBatches.js";
import { callerId } from "../caller.js";
import type { QaContext } from "../context.js";
import { openDeviationTx } from "../deviations/openDeviation.js";
import { QA_EVENT_TYPES, qaEnvelope, writeQaEvents } from "../events/qaEvents.js";
import { isNumericTest, judge } from "./judge.js";

/** The longest text each result input accepts, in characters. */
const TEXT = { testCode: { max: 200 }, value: { max: 200 }, instrument: { max: 100 } } as const;

/** How far in the future `testedAt` may lie: the clocks of instruments and servers differ a little. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** The version in force (the highest) of the batch's product, with the test the code names. */
async function testInForce(ctx: QaContext, batch: ProductionBatch, testCode: string): Promise<{ spec: Specification; test: SpecificationTest }> {
  const spec = await ctx.prisma.specification.findFirst({
    where: { productCode: batch.productCode },
    orderBy: { version: "desc" },
    include: { tests: { orderBy: { position: "asc" } } },
  });
  if (!spec) {
    throw apiError("CONFLICT", `Product ${batch.productCode} has no specification: publish one before recording results`, {
      field: "batchId",
      productCode: batch.productCode,
    });
  }
  const { tests, ...version } = spec;
  const code = testCode.toUpperCase();
  const test = tests.find((candidate) => candidate.code === code);
  if (!test) {
    const codes = tests.map((candidate) => candidate.code);
    throw apiError("BAD_USER_INPUT", `Specification ${spec.productCode} v${spec.version} has no test ${code}; its tests are ${codes.join(", ")}`, {
      field: "testCode",
      testCodes: codes,
    });
  }
  return { spec: version, test };
}

/** A test's limits in words: `limits 95–105 %`, `limit ≥ 80 %`, `limit ≤ 1000 cfu/g`. */
function limitsText({ lowerLimit, upperLimit, unit }: SpecificationTest): string {
  const suffix = unit ? ` ${unit}` : "";
  if (lowerLimit !== null && upperLimit !== null) return `limits ${lowerLimit.toFixed()}–${upperLimit.toFixed()}${suffix}`;
  return lowerLimit !== null ? `limit ≥ ${lowerLimit.toFixed()}${suffix}` : `limit ≤ ${upperLimit!.toFixed()}${suffix}`;
}

/** What the deviation an out-of-specification result opens says about it. */
function outOfSpecification(spec: Specification, test: SpecificationTest, value: string) {
  const expected = isNumericTest(test) ? limitsText(test) : `expected ${test.expectedText}`;
  return {
    title: `Out of specification: ${test.name} ${value}${test.unit ?? ""}`,
    description:
      `${test.name} (${test.code}, ${test.method}) gave ${value}${test.unit ? ` ${test.unit}` : ""}; ${expected}, ` +
      `specification ${spec.productCode} v${spec.version}. Opened automatically.`,
  };
}

/**
 * Records a test result of a batch IN_PROGRESS or QA_HOLD, judged against the specification
 * version in force for its product (a later version never changes it). In one transaction
 * holding the batch's lock (so a release decision sees it or it waits): the result,
 * `qa.result.recorded` in the outbox and, when it is out of specification, a MAJOR deviation
 * linked to it with its own event.
 */
export async function recordTestResult(ctx: QaContext, input: RecordTestResultInput): Promise<TestResult> {
  const recordedById = callerId(ctx);
  const testCode = checkText("testCode", input.testCode, TEXT.testCode);
  const value = checkText("value", input.value, TEXT.value);
  const instrument = checkText("instrument", input.instrument, TEXT.instrument);
  const testedAt = input.testedAt as Date;
  if (testedAt.getTime() > Date.now() + CLOCK_SKEW_MS) {
    throw apiError("BAD_USER_INPUT", `testedAt ${testedAt.toISOString()} lies in the future`, { field: "testedAt" });
  }
  const analystId = input.analystId ?? recordedById;
  if (!isUuid(analystId)) throw apiError("BAD_USER_INPUT", `analystId must be a user id (a UUID), got ${JSON.stringify(analystId)}`, { field: "analystId" });

  const batch = await ctx.batches.require(input.batchId, ["IN_PROGRESS", "QA_HOLD"], "a test result");
  const { spec, test } = await testInForce(ctx, batch, testCode);
  const { passed, numericValue } = judge(test, value);

  const { result, deviationId } = await ctx.prisma.$transaction(async (tx) => {
    await lockUndecidedBatch(tx, batch, "a test result cannot be recorded");
    const result = await tx.testResult.create({
      data: { batchId: batch.id, testId: test.id, value, numericValue, passed, analystId: analystId.toLowerCase(), instrument, testedAt, recordedById },
    });
    const data = {
      result_id: result.id,
      batch_id: result.batchId,
      batch_number: batch.batchNumber,
      specification_id: spec.id,
      specification_version: spec.version,
      test_code: test.code,
      value: result.value,
      passed: result.passed,
      analyst_id: result.analystId,
      instrument: result.instrument,
      tested_at: result.testedAt.toISOString(),
      recorded_by: result.recordedById,
      recorded_at: result.recordedAt.toISOString(),
    };
    await writeQaEvents(tx, result.batchId, [qaEnvelope(QA_EVENT_TYPES.resultRecorded, data, ctx, result.recordedAt)]);
    if (passed) return { result, deviationId: undefined };
    const deviation = await openDeviationTx(
      tx,
      {
        batchId: batch.id,
        batchNumber: batch.batchNumber,
        ...outOfSpecification(spec, test, value),
        classification: "MAJOR",
        testResultId: result.id,
        openedById: recordedById,
      },
      ctx,
    );
    return { result, deviationId: deviation.id };
  }, TRANSACTION_OPTIONS);

  ctx.logger.info({ batchId: result.batchId, resultId: result.id, test: test.code, passed, ...(deviationId && { deviationId }) }, "test result recorded");
  return result;
}
