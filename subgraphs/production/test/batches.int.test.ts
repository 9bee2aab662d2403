import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCounter } from "../../../test/support/graphql.js";
import { applyQaDecisionEvent } from "../../../test/support/qaDecisions.js";
import { startJwksServer, type JwksServer } from "./jwksServer.js";
import { ADVANCE_STAGE, batchInput, CHANGE_STATUS, CREATE_BATCH, STAGE_HISTORY, UPDATE_BATCH } from "./operations.js";
import { startProductionServer, uniqueBatchNumber, type Caller, type TestProductionServer } from "./productionServer.js";

let auth: JwksServer;
let server: TestProductionServer;
let production: Caller;
let qa: Caller;
let viewer: Caller;

beforeAll(async () => {
  auth = await startJwksServer();
  server = await startProductionServer(auth);
  production = server.signIn("PRODUCTION");
  qa = server.signIn("QA");
  viewer = server.signIn("VIEWER");
});

afterAll(async () => {
  await server?.stop();
  await auth?.stop();
});

async function create(overrides: Record<string, unknown> = {}) {
  const result = await server.call(CREATE_BATCH, { input: batchInput(uniqueBatchNumber(), overrides) }, production.token);
  expect(result.errors).toBeUndefined();
  return result.data!.createBatch;
}

const change = (id: string, status: string, caller: Caller, extra: Record<string, unknown> = {}) =>
  server.call(CHANGE_STATUS, { id, status, ...extra }, caller.token);

/** Releases a QA_HOLD batch as QA does: a decision signed by `qa`, applied by the decision consumer's code. */
const release = (id: string) => applyQaDecisionEvent(server.runtime.prisma, { batchId: id, decision: "RELEASED", signedBy: { id: qa.userId } });

/** The error changeBatchStatus answers for a release or rejection, which only the QA service decides. */
const qaDecisionOnly = (batchNumber: string, qaMutation: "releaseBatch" | "rejectBatch") => ({
  message: `Batch ${batchNumber} is released or rejected through the QA service: use releaseBatch(batchId, signature) or rejectBatch(batchId, reason, signature)`,
  locations: expect.any(Array),
  path: ["changeBatchStatus"],
  extensions: { code: "BAD_USER_INPUT", field: "status", qaMutation },
});

describe("createBatch", () => {
  it("creates a PLANNED batch at the first stage, its creation the first audit entry", async () => {
    const number = uniqueBatchNumber();
    const result = await server.call(CREATE_BATCH, { input: batchInput(` ${number} `, { plannedQuantity: 250.5 }) }, production.token);
    expect(result.errors).toBeUndefined();
    const batch = result.data!.createBatch;
    expect(batch).toEqual({
      id: expect.any(String),
      batchNumber: number,
      productCode: "PARA-500",
      productName: "Paracetamol 500 mg tablets",
      plannedQuantity: 250.5,
      actualQuantity: null,
      unit: "kg",
      status: "PLANNED",
      stage: "DISPENSING",
      yield: null,
      version: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: batch.createdAt,
      createdBy: { id: production.userId },
      history: [{ fromStatus: null, toStatus: "PLANNED", reason: null, changedBy: { id: production.userId } }],
    });
  });

  it("refuses a taken batch number with CONFLICT and bad input with BAD_USER_INPUT", async () => {
    const { batchNumber } = await create();
    const taken = await server.call(CREATE_BATCH, { input: batchInput(batchNumber) }, production.token);
    expect(taken.errors).toEqual([
      {
        message: `Batch number ${batchNumber} is taken`,
        locations: expect.any(Array),
        path: ["createBatch"],
        extensions: { code: "CONFLICT", field: "batchNumber" },
      },
    ]);
    const negative = await server.call(CREATE_BATCH, { input: batchInput(uniqueBatchNumber(), { plannedQuantity: -1 }) }, production.token);
    expect(negative.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual([
      {
        message: "plannedQuantity must be from 0.001 to 99999999999.999 with at most 3 decimals, got -1",
        extensions: { code: "BAD_USER_INPUT", field: "plannedQuantity", min: 0.001, max: 99_999_999_999.999, maxDecimals: 3 },
      },
    ]);
  });

  it("is refused to a VIEWER with FORBIDDEN and to an anonymous caller with UNAUTHENTICATED", async () => {
    const input = batchInput(uniqueBatchNumber());
    const forbidden = await server.call(CREATE_BATCH, { input }, viewer.token);
    expect(forbidden.errors).toEqual([
      {
        message: "Mutation.createBatch requires scope batches:write",
        locations: expect.any(Array),
        path: ["createBatch"],
        extensions: { code: "FORBIDDEN", requiredScopes: [["batches:write"]] },
      },
    ]);
    const anonymous = await server.call(CREATE_BATCH, { input });
    expect(anonymous.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("the status machine", () => {
  it("walks PLANNED to COMPLETED with the right roles and records every step", async () => {
    const batch = await create({ plannedQuantity: 200 });
    expect((await change(batch.id, "IN_PROGRESS", production)).data?.changeBatchStatus).toMatchObject({ status: "IN_PROGRESS", version: 2 });
    expect((await change(batch.id, "QA_HOLD", production)).data?.changeBatchStatus).toMatchObject({ status: "QA_HOLD", version: 3 });
    const { event, batch: released } = await release(batch.id);
    expect(released).toMatchObject({ status: "RELEASED", version: 4 });
    const completed = await change(batch.id, "COMPLETED", production, { actualQuantity: 190 });
    expect(completed.errors).toBeUndefined();
    expect(completed.data?.changeBatchStatus).toEqual({ id: batch.id, status: "COMPLETED", version: 5, actualQuantity: 190, yield: 0.95 });

    const read = await server.call(
      `query($id: ID!) { batch(id: $id) { history { fromStatus toStatus reason changedBy { id } } } }`,
      { id: batch.id },
      viewer.token,
    );
    expect(read.data?.batch.history).toEqual([
      { fromStatus: null, toStatus: "PLANNED", reason: null, changedBy: { id: production.userId } },
      { fromStatus: "PLANNED", toStatus: "IN_PROGRESS", reason: null, changedBy: { id: production.userId } },
      { fromStatus: "IN_PROGRESS", toStatus: "QA_HOLD", reason: null, changedBy: { id: production.userId } },
      { fromStatus: "QA_HOLD", toStatus: "RELEASED", reason: `QA decision ${event.data.decision_id}: approved for release`, changedBy: { id: qa.userId } },
      { fromStatus: "RELEASED", toStatus: "COMPLETED", reason: null, changedBy: { id: production.userId } },
    ]);
  });

  it("changes a status, with a quantity too, and advances a stage in two SQL statements each: the read, then one write", async () => {
    const batch = await create();
    const statements = async (run: () => ReturnType<typeof change>) => {
      const before = await readCounter(server.url, "db_queries_total");
      expect((await run()).errors).toBeUndefined();
      return (await readCounter(server.url, "db_queries_total")) - before;
    };
    expect(await statements(() => change(batch.id, "IN_PROGRESS", production))).toBe(2);
    expect(await statements(() => server.call(ADVANCE_STAGE, { id: batch.id }, production.token))).toBe(2);
    await change(batch.id, "QA_HOLD", production);
    await release(batch.id);
    expect(await statements(() => change(batch.id, "COMPLETED", production, { actualQuantity: 990 }))).toBe(2);
  });

  it("refuses an illegal transition with BAD_USER_INPUT naming the allowed next statuses", async () => {
    const batch = await create();
    const result = await change(batch.id, "COMPLETED", production, { actualQuantity: 1 });
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      {
        message: `Batch ${batch.batchNumber} cannot go from PLANNED to COMPLETED: allowed next statuses: IN_PROGRESS, CANCELLED`,
        locations: expect.any(Array),
        path: ["changeBatchStatus"],
        extensions: { code: "BAD_USER_INPUT", field: "status", allowedStatuses: ["IN_PROGRESS", "CANCELLED"] },
      },
    ]);
  });

  it("releases and rejects through the QA service only, and lets only QA send back for rework", async () => {
    const batch = await create();
    await change(batch.id, "IN_PROGRESS", production);
    await change(batch.id, "QA_HOLD", production);
    // Neither QA nor production releases or rejects here: a signed decision in the QA service does.
    for (const caller of [qa, production]) {
      expect((await change(batch.id, "RELEASED", caller)).errors).toEqual([qaDecisionOnly(batch.batchNumber, "releaseBatch")]);
      expect((await change(batch.id, "REJECTED", caller, { reason: "because" })).errors).toEqual([qaDecisionOnly(batch.batchNumber, "rejectBatch")]);
    }
    const byProduction = await change(batch.id, "IN_PROGRESS", production, { reason: "because" });
    expect(byProduction.errors).toEqual([
      {
        message: "Moving a batch from QA_HOLD to IN_PROGRESS requires scope batches:release",
        locations: expect.any(Array),
        path: ["changeBatchStatus"],
        extensions: { code: "FORBIDDEN", requiredScopes: [["batches:release"]] },
      },
    ]);
    // QA, in turn, does not run production.
    const started = await create();
    const byQa = await change(started.id, "IN_PROGRESS", qa);
    expect(byQa.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual([
      {
        message: "Moving a batch from PLANNED to IN_PROGRESS requires scope batches:write",
        extensions: { code: "FORBIDDEN", requiredScopes: [["batches:write"]] },
      },
    ]);
    // A viewer is stopped by the schema before the status machine is asked.
    const byViewer = await change(batch.id, "RELEASED", viewer);
    expect(byViewer.errors?.map((e) => e.extensions)).toEqual([{ code: "FORBIDDEN", requiredScopes: [["batches:write"], ["batches:release"]] }]);
    // Rework and rejection need a reason; with one, QA sends the batch back.
    const noReason = await change(batch.id, "IN_PROGRESS", qa);
    expect(noReason.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual([
      { message: "A reason is required to move a batch from QA_HOLD to IN_PROGRESS", extensions: { code: "BAD_USER_INPUT", field: "reason" } },
    ]);
    const rework = await change(batch.id, "IN_PROGRESS", qa, { reason: "Hardness out of range" });
    expect(rework.data?.changeBatchStatus.status).toBe("IN_PROGRESS");
  });

  it("completes with the actual quantity recorded before, and refuses to complete without one", async () => {
    const batch = await create({ plannedQuantity: 400 });
    expect((await change(batch.id, "IN_PROGRESS", production)).errors).toBeUndefined();
    // Recorded while the batch is made: from QA_HOLD on its master data is frozen.
    const updated = await server.call(UPDATE_BATCH, { id: batch.id, version: 2, input: { actualQuantity: 396 } }, production.token);
    expect(updated.data?.updateBatch).toMatchObject({ version: 3, actualQuantity: 396 });
    expect((await change(batch.id, "QA_HOLD", production)).errors).toBeUndefined();
    await release(batch.id);
    const withoutBatch = await create({ plannedQuantity: 400 });
    for (const status of ["IN_PROGRESS", "QA_HOLD"]) expect((await change(withoutBatch.id, status, production)).errors).toBeUndefined();
    await release(withoutBatch.id);
    const without = await change(withoutBatch.id, "COMPLETED", production);
    expect(without.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual([
      {
        message: `Completing batch ${withoutBatch.batchNumber} requires its actual quantity: pass actualQuantity`,
        extensions: { code: "BAD_USER_INPUT", field: "actualQuantity" },
      },
    ]);
    const completed = await change(batch.id, "COMPLETED", production);
    expect(completed.data?.changeBatchStatus).toMatchObject({ status: "COMPLETED", actualQuantity: 396, yield: 0.99 });
    // A final status admits nothing after it, and the record is closed to edits.
    const after = await change(batch.id, "IN_PROGRESS", production);
    expect(after.errors?.[0]).toMatchObject({
      message: `Batch ${batch.batchNumber} cannot go from COMPLETED to IN_PROGRESS: COMPLETED is final, no status may follow it`,
      extensions: { code: "BAD_USER_INPUT", field: "status", allowedStatuses: [] },
    });
    const edit = await server.call(UPDATE_BATCH, { id: batch.id, version: 6, input: { productName: "Renamed" } }, production.token);
    expect(edit.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual([
      { message: `Batch ${batch.batchNumber} is COMPLETED: its record is closed to changes`, extensions: { code: "BAD_USER_INPUT", status: "COMPLETED" } },
    ]);
  });

  it("applies only one of a QA release and a concurrent rework, with one audit entry", async () => {
    const batch = await create();
    await change(batch.id, "IN_PROGRESS", production);
    await change(batch.id, "QA_HOLD", production);
    const [released, rework] = await Promise.allSettled([release(batch.id), change(batch.id, "IN_PROGRESS", qa, { reason: "Hardness out of range" })]);
    const reworked = rework.status === "fulfilled" && rework.value.errors === undefined;
    expect([released.status === "fulfilled", reworked].filter(Boolean)).toHaveLength(1);
    const history = await server.runtime.prisma.batchStatusChange.count({ where: { batchId: batch.id } });
    expect(history).toBe(4);
  });
});

describe("updateBatch", () => {
  it("lets exactly one of concurrent updates with the same version win; the others get CONFLICT with the current version", async () => {
    const batch = await create();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => server.call(UPDATE_BATCH, { id: batch.id, version: 1, input: { productName: `Name ${i}` } }, production.token)),
    );
    const winners = results.filter((r) => r.errors === undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.data?.updateBatch).toMatchObject({ id: batch.id, version: 2 });
    for (const loser of results.filter((r) => r.errors !== undefined)) {
      expect(loser.errors).toEqual([
        {
          message: `Batch ${batch.batchNumber} was changed meanwhile: its current version is 2, not 1. Read it again and retry.`,
          locations: expect.any(Array),
          path: ["updateBatch"],
          extensions: { code: "CONFLICT", currentVersion: 2 },
        },
      ]);
    }
    const stored = await server.runtime.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } });
    expect(stored.productName).toBe(winners[0]!.data?.updateBatch.productName);
  });

  it("answers NOT_FOUND for an unknown batch and BAD_USER_INPUT for an empty change", async () => {
    const missing = await server.call(UPDATE_BATCH, { id: "not-a-uuid", version: 1, input: { unit: "g" } }, production.token);
    expect(missing.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual([
      { message: "No batch with id not-a-uuid", extensions: { code: "NOT_FOUND", id: "not-a-uuid" } },
    ]);
    const empty = await server.call(UPDATE_BATCH, { id: (await create()).id, version: 1, input: {} }, production.token);
    expect(empty.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "input" });
  });
});

describe("advanceBatchStage", () => {
  it("advances an IN_PROGRESS batch through the stages in order, and no further than the last", async () => {
    const batch = await create();
    const early = await server.call(ADVANCE_STAGE, { id: batch.id }, production.token);
    expect(early.errors?.[0]).toMatchObject({
      message: `Batch ${batch.batchNumber} is PLANNED: only an IN_PROGRESS batch advances its stage`,
      extensions: { code: "BAD_USER_INPUT", status: "PLANNED" },
    });
    await change(batch.id, "IN_PROGRESS", production);
    const stages = [];
    for (let i = 0; i < 5; i++) stages.push((await server.call(ADVANCE_STAGE, { id: batch.id }, production.token)).data?.advanceBatchStage.stage);
    expect(stages).toEqual(["GRANULATION", "BLENDING", "COMPRESSION", "COATING", "PACKAGING"]);
    const last = await server.call(ADVANCE_STAGE, { id: batch.id }, production.token);
    expect(last.errors?.[0]).toMatchObject({ message: `Batch ${batch.batchNumber} is at its last stage, PACKAGING`, extensions: { code: "BAD_USER_INPUT" } });
    const stale = await server.call(ADVANCE_STAGE, { id: batch.id, version: 2 }, production.token);
    expect(stale.errors?.[0]?.extensions).toEqual({ code: "CONFLICT", currentVersion: 7 });
  });

  it("records the creation and every advance in the stage history, oldest first, with who and when", async () => {
    const batch = await create();
    const other = server.signIn("PRODUCTION");
    const history = async () => {
      const read = await server.call(STAGE_HISTORY, { id: batch.id }, viewer.token);
      expect(read.errors).toBeUndefined();
      return read.data!.batch;
    };
    expect((await history()).stageHistory).toEqual([
      { id: expect.any(String), fromStage: null, toStage: "DISPENSING", changedBy: { id: production.userId }, changedAt: batch.createdAt },
    ]);
    // A refused advance records nothing.
    expect((await server.call(ADVANCE_STAGE, { id: batch.id }, production.token)).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    await change(batch.id, "IN_PROGRESS", production);
    const first = await server.call(ADVANCE_STAGE, { id: batch.id, version: 2 }, production.token);
    expect(first.data?.advanceBatchStage).toEqual({ id: batch.id, stage: "GRANULATION", version: 3 });
    const second = await server.call(ADVANCE_STAGE, { id: batch.id }, other.token);
    expect(second.data?.advanceBatchStage).toEqual({ id: batch.id, stage: "BLENDING", version: 4 });
    // A stale advance is refused, and records nothing either.
    expect((await server.call(ADVANCE_STAGE, { id: batch.id, version: 3 }, production.token)).errors?.[0]?.extensions?.code).toBe("CONFLICT");

    const { stage, stageHistory } = await history();
    expect(stage).toBe("BLENDING");
    expect(stageHistory).toEqual([
      { id: expect.any(String), fromStage: null, toStage: "DISPENSING", changedBy: { id: production.userId }, changedAt: batch.createdAt },
      { id: expect.any(String), fromStage: "DISPENSING", toStage: "GRANULATION", changedBy: { id: production.userId }, changedAt: expect.any(String) },
      { id: expect.any(String), fromStage: "GRANULATION", toStage: "BLENDING", changedBy: { id: other.userId }, changedAt: expect.any(String) },
    ]);
    const times = stageHistory.map((entry: { changedAt: string }) => entry.changedAt);
    expect([...times].sort()).toEqual(times);
    expect(new Set(stageHistory.map((entry: { id: string }) => entry.id)).size).toBe(3);
  });

  it("reads the stage history of a whole page in one SQL statement, whatever the page size", async () => {
    const product = `S-${randomBytes(4).toString("hex")}`;
    const batches = [];
    for (let i = 0; i < 12; i++) batches.push(await create({ productCode: product }));
    for (const { id } of batches.slice(0, 6)) {
      await change(id, "IN_PROGRESS", production);
      await server.call(ADVANCE_STAGE, { id }, production.token);
    }
    const page = (fields: string) => /* GraphQL */ `
      query Page($first: Int, $product: String) { batches(first: $first, filter: { product: $product }) { nodes { id ${fields} } } }
    `;
    const statements = async (query: string, first: number) => {
      const before = await readCounter(server.url, "db_queries_total");
      const result = await server.call(query, { first, product }, viewer.token);
      expect(result.errors).toBeUndefined();
      expect(result.data!.batches.nodes).toHaveLength(first);
      const spent = (await readCounter(server.url, "db_queries_total")) - before;
      return { spent, nodes: result.data!.batches.nodes };
    };
    const withHistory = page("stageHistory { fromStage toStage changedBy { id } }");
    const small = await statements(withHistory, 2);
    const large = await statements(withHistory, 12);
    expect(large.spent).toBe(small.spent);
    // Exactly one more than the page alone.
    expect(large.spent).toBe((await statements(page(""), 12)).spent + 1);
    // And each batch got its own entries: creation, plus one advance for the six started.
    const lengths = large.nodes.map((node: { id: string; stageHistory: unknown[] }) => [node.id, node.stageHistory.length]);
    expect(Object.fromEntries(lengths)).toEqual(Object.fromEntries(batches.map(({ id }, i) => [id, i < 6 ? 2 : 1])));
  });
});
