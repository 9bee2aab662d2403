import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BatchStatus } from "../../../generated/prisma/enums.js";
import { insertDecision, startQaServer, uniqueProduct, type Caller, type TestQaServer } from "./qaServer.js";

const PUBLISH = /* GraphQL */ `
  mutation Publish($input: PublishSpecificationInput!) {
    publishSpecification(input: $input) { version }
  }
`;

const RECORD = /* GraphQL */ `
  mutation Record($input: RecordTestResultInput!) {
    recordTestResult(input: $input) {
      id
      batch { id }
      test { code }
      specification { version }
      value
      passed
      analyst { id }
      instrument
      testedAt
      recordedBy { id }
      deviation { number classification status title description }
    }
  }
`;

const RESULTS = /* GraphQL */ `
  query Results($batch: [_Any!]!) {
    _entities(representations: $batch) {
      ... on Batch { testResults { value passed test { code upperLimit } specification { version inForce } } }
    }
  }
`;

const TESTS = [
  { code: "ASSAY", name: "Assay", method: "HPLC, Ph. Eur. 2.2.29", unit: "%", lowerLimit: 95, upperLimit: 105 },
  { code: "DISSOLUTION", name: "Dissolution (30 min)", method: "Ph. Eur. 2.9.3", unit: "%", lowerLimit: 80 },
  { code: "APPEARANCE", name: "Appearance", method: "Visual", expectedText: "Complies" },
];

describe("recordTestResult", () => {
  let qa: TestQaServer;
  let publisher: Caller;
  let analyst: Caller;

  beforeAll(async () => {
    qa = await startQaServer();
    publisher = qa.signIn("QA");
    analyst = qa.signIn("QA");
  });

  afterAll(() => qa?.stop());

  const publish = async (productCode: string, tests: Array<Record<string, unknown>> = TESTS) => {
    const result = await qa.call(PUBLISH, { input: { productCode, tests } }, publisher.token);
    expect(result.errors).toBeUndefined();
  };
  /** A product with a specification and a batch of it in `status`. */
  const batchWithSpecification = async (status: BatchStatus = "IN_PROGRESS") => {
    const productCode = uniqueProduct();
    await publish(productCode);
    return qa.addBatch(productCode, status);
  };
  const testedAt = new Date(Date.now() - 60_000).toISOString();
  const record = (input: Record<string, unknown>, token = analyst.token) => qa.call(RECORD, { input: { instrument: "HPLC-07", testedAt, ...input } }, token);
  const refusal = (code: string, message: string, extensions: Record<string, unknown>) => ({
    data: null,
    errors: [{ message, locations: expect.any(Array), path: ["recordTestResult"], extensions: { code, ...extensions } }],
  });
  const outcome = (result: { data?: unknown; errors?: unknown }) => ({ data: result.data, errors: result.errors });
  const outbox = (batchId: string) =>
    qa.runtime.prisma.qaOutboxEvent
      .findMany({ where: { batchId }, orderBy: { sequence: "asc" } })
      .then((rows) => rows.map((row) => row.envelope as Record<string, any>));

  it("records a passing numeric result, with its event, and forwards the caller's token to production", async () => {
    const batch = await batchWithSpecification();
    const result = await record({ batchId: batch.id, testCode: "assay", value: "99.2" });
    expect(result.errors).toBeUndefined();
    const recorded = result.data?.recordTestResult;
    expect(recorded).toEqual({
      id: expect.any(String),
      batch: { id: batch.id },
      test: { code: "ASSAY" },
      specification: { version: 1 },
      value: "99.2",
      passed: true,
      analyst: { id: analyst.userId },
      instrument: "HPLC-07",
      testedAt,
      recordedBy: { id: analyst.userId },
      deviation: null,
    });
    expect(qa.production.calls.at(-1)?.headers.authorization).toBe(`Bearer ${analyst.token}`);

    const events = await outbox(batch.id);
    expect(events).toEqual([expect.objectContaining({ type: "qa.result.recorded", source: "qa" })]);
    const stored = await qa.runtime.prisma.testResult.findUniqueOrThrow({ where: { id: recorded.id } });
    expect(events[0]!.data).toEqual({
      result_id: recorded.id,
      batch_id: batch.id,
      batch_number: batch.batchNumber,
      specification_id: expect.any(String),
      specification_version: 1,
      test_code: "ASSAY",
      value: "99.2",
      passed: true,
      analyst_id: analyst.userId,
      instrument: "HPLC-07",
      tested_at: testedAt,
      recorded_by: analyst.userId,
      recorded_at: stored.recordedAt.toISOString(),
    });
    expect(stored.numericValue?.toFixed()).toBe("99.2");
    expect(qa.logs).toContainEqual(expect.objectContaining({ msg: "test result recorded", batchId: batch.id, test: "ASSAY", passed: true }));
  });

  it("opens a MAJOR deviation linked to a failing result, both events in the outbox", async () => {
    const batch = await batchWithSpecification("QA_HOLD");
    const otherAnalyst = randomUUID();
    const result = await record({ batchId: batch.id, testCode: "ASSAY", value: "92.4", analystId: otherAnalyst });
    expect(result.errors).toBeUndefined();
    const recorded = result.data?.recordTestResult;
    expect(recorded).toMatchObject({
      passed: false,
      analyst: { id: otherAnalyst },
      recordedBy: { id: analyst.userId },
      deviation: {
        number: expect.stringMatching(/^DEV-\d+$/),
        classification: "MAJOR",
        status: "OPEN",
        title: "Out of specification: Assay 92.4%",
        description: `Assay (ASSAY, HPLC, Ph. Eur. 2.2.29) gave 92.4 %; limits 95–105 %, specification ${batch.productCode} v1. Opened automatically.`,
      },
    });
    const deviation = await qa.runtime.prisma.deviation.findFirstOrThrow({ where: { testResultId: recorded.id } });
    expect(deviation).toMatchObject({ batchId: batch.id, openedById: analyst.userId, classification: "MAJOR" });

    const events = await outbox(batch.id);
    expect(events.map((event) => event.type)).toEqual(["qa.result.recorded", "qa.deviation.opened"]);
    expect(events[0]!.data).toMatchObject({ result_id: recorded.id, passed: false, analyst_id: otherAnalyst, value: "92.4" });
    expect(events[1]!.data).toMatchObject({
      deviation_id: deviation.id,
      test_result_id: recorded.id,
      classification: "MAJOR",
      batch_number: batch.batchNumber,
    });
    expect(qa.logs).toContainEqual(expect.objectContaining({ msg: "test result recorded", batchId: batch.id, passed: false, deviationId: deviation.id }));
  });

  it("judges a lower limit alone, and a text test without regard to case", async () => {
    const batch = await batchWithSpecification();
    const dissolution = await record({ batchId: batch.id, testCode: "DISSOLUTION", value: "112" });
    expect(dissolution.data?.recordTestResult).toMatchObject({ passed: true, deviation: null });
    const complies = await record({ batchId: batch.id, testCode: "appearance", value: "  complies " });
    expect(complies.data?.recordTestResult).toMatchObject({ value: "complies", passed: true, deviation: null });
    const fails = await record({ batchId: batch.id, testCode: "APPEARANCE", value: "Chipped tablets" });
    expect(fails.data?.recordTestResult).toMatchObject({
      passed: false,
      deviation: {
        classification: "MAJOR",
        title: "Out of specification: Appearance Chipped tablets",
        description: `Appearance (APPEARANCE, Visual) gave Chipped tablets; expected Complies, specification ${batch.productCode} v1. Opened automatically.`,
      },
    });
  });

  it("keeps a result judged against version 1 as it was after version 2 is published", async () => {
    const batch = await batchWithSpecification();
    const recorded = await record({ batchId: batch.id, testCode: "ASSAY", value: "104" });
    expect(recorded.data?.recordTestResult).toMatchObject({ passed: true, specification: { version: 1 } });
    // Version 2 would fail 104.
    await publish(batch.productCode, [{ ...TESTS[0], upperLimit: 102 }]);

    const later = await record({ batchId: batch.id, testCode: "ASSAY", value: "104" });
    expect(later.data?.recordTestResult).toMatchObject({ passed: false, specification: { version: 2 } });

    const results = await qa.call(RESULTS, { batch: [{ __typename: "Batch", id: batch.id, productCode: batch.productCode }] }, qa.signIn("VIEWER").token);
    expect(results.errors).toBeUndefined();
    expect(results.data?._entities).toEqual([
      {
        testResults: [
          { value: "104", passed: true, test: { code: "ASSAY", upperLimit: 105 }, specification: { version: 1, inForce: false } },
          { value: "104", passed: false, test: { code: "ASSAY", upperLimit: 102 }, specification: { version: 2, inForce: true } },
        ],
      },
    ]);
  });

  it("refuses a batch production does not know", async () => {
    const id = randomUUID();
    expect(outcome(await record({ batchId: id, testCode: "ASSAY", value: "100" }))).toEqual(
      refusal("NOT_FOUND", `No batch with id ${id}`, { field: "batchId" }),
    );
  });

  it("refuses a PLANNED batch, naming its status", async () => {
    const batch = await batchWithSpecification("PLANNED");
    expect(outcome(await record({ batchId: batch.id, testCode: "ASSAY", value: "100" }))).toEqual(
      refusal("CONFLICT", `Batch ${batch.batchNumber} is PLANNED: a test result needs a batch in IN_PROGRESS or QA_HOLD`, {
        field: "batchId",
        status: "PLANNED",
      }),
    );
    expect(await qa.runtime.prisma.testResult.count({ where: { batchId: batch.id } })).toBe(0);
  });

  it("refuses a batch QA has decided on, while production still shows it in QA_HOLD", async () => {
    const batch = await batchWithSpecification("QA_HOLD");
    const signedAt = await insertDecision(qa.runtime.prisma, batch, publisher.userId);
    expect(outcome(await record({ batchId: batch.id, testCode: "ASSAY", value: "100" }))).toEqual(
      refusal(
        "CONFLICT",
        `Batch ${batch.batchNumber} was already RELEASED by QA at ${signedAt.toISOString()}: a test result cannot be recorded on a decided batch`,
        {
          field: "batchId",
          status: "RELEASED",
        },
      ),
    );
    expect(await qa.runtime.prisma.testResult.count({ where: { batchId: batch.id } })).toBe(0);
  });

  it("refuses a batch whose product has no specification", async () => {
    const batch = qa.addBatch(uniqueProduct());
    expect(outcome(await record({ batchId: batch.id, testCode: "ASSAY", value: "100" }))).toEqual(
      refusal("CONFLICT", `Product ${batch.productCode} has no specification: publish one before recording results`, {
        field: "batchId",
        productCode: batch.productCode,
      }),
    );
  });

  it("refuses a test the specification does not have, naming those it has", async () => {
    const batch = await batchWithSpecification();
    expect(outcome(await record({ batchId: batch.id, testCode: "hardness", value: "100" }))).toEqual(
      refusal("BAD_USER_INPUT", `Specification ${batch.productCode} v1 has no test HARDNESS; its tests are ASSAY, DISSOLUTION, APPEARANCE`, {
        field: "testCode",
        testCodes: ["ASSAY", "DISSOLUTION", "APPEARANCE"],
      }),
    );
  });

  it("refuses a value of a numeric test that is not a number", async () => {
    const batch = await batchWithSpecification();
    expect(outcome(await record({ batchId: batch.id, testCode: "ASSAY", value: "about 99" }))).toEqual(
      refusal("BAD_USER_INPUT", 'value of ASSAY must be a number (unit %), such as 98.5, got "about 99"', { field: "value", testCode: "ASSAY" }),
    );
    expect(await qa.runtime.prisma.testResult.count({ where: { batchId: batch.id } })).toBe(0);
  });

  it("refuses a testedAt in the future, and accepts one within the clock skew", async () => {
    const batch = await batchWithSpecification();
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    expect(outcome(await record({ batchId: batch.id, testCode: "ASSAY", value: "100", testedAt: future }))).toEqual(
      refusal("BAD_USER_INPUT", `testedAt ${future} lies in the future`, { field: "testedAt" }),
    );
    const skewed = await record({ batchId: batch.id, testCode: "ASSAY", value: "100", testedAt: new Date(Date.now() + 60_000).toISOString() });
    expect(skewed.errors).toBeUndefined();
  });

  it("refuses an analystId that is no UUID", async () => {
    const batch = await batchWithSpecification();
    expect(outcome(await record({ batchId: batch.id, testCode: "ASSAY", value: "100", analystId: "jane" }))).toEqual(
      refusal("BAD_USER_INPUT", 'analystId must be a user id (a UUID), got "jane"', { field: "analystId" }),
    );
  });

  it("refuses a VIEWER (no qa:write)", async () => {
    const batch = await batchWithSpecification();
    const result = await record({ batchId: batch.id, testCode: "ASSAY", value: "100" }, qa.signIn("VIEWER").token);
    expect(result.errors).toEqual([
      {
        message: "Mutation.recordTestResult requires scope qa:write",
        locations: expect.any(Array),
        path: ["recordTestResult"],
        extensions: { code: "FORBIDDEN", requiredScopes: [["qa:write"]] },
      },
    ]);
    expect(await qa.runtime.prisma.testResult.count({ where: { batchId: batch.id } })).toBe(0);
  });

  it("is append-only in PostgreSQL itself", async () => {
    const batch = await batchWithSpecification();
    const recorded = await record({ batchId: batch.id, testCode: "ASSAY", value: "100" });
    const id = recorded.data?.recordTestResult.id;
    const { prisma } = qa.runtime;
    await expect(prisma.$executeRawUnsafe(`UPDATE qa.test_results SET passed = false WHERE id = $1::uuid`, id)).rejects.toThrow(
      "qa.test_results is append-only: UPDATE refused",
    );
    await expect(prisma.$executeRawUnsafe(`DELETE FROM qa.test_results WHERE id = $1::uuid`, id)).rejects.toThrow(
      "qa.test_results is append-only: DELETE refused",
    );
    expect(await prisma.testResult.findUniqueOrThrow({ where: { id } })).toMatchObject({ passed: true });
  });
});
