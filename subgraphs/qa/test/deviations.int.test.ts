import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "#lib/auth/scopes.js";
import type { BatchStatus } from "../../../generated/prisma/enums.js";
import { graphql, type GraphQLResult } from "../../../test/support/graphql.js";
import { TRACKED_FIELDS } from "../src/deviations/deviationHistory.js";
import { insertDecision, startQaServer, type TestQaServer } from "./qaServer.js";

const DEVIATION = /* GraphQL */ `
  fragment DeviationFields on Deviation {
    id
    number
    batch { id }
    title
    description
    classification
    status
    investigation
    rootCause
    capa
    openedBy { id }
    openedAt
    closedBy { id }
    closedAt
    version
    history { action changes { field from to } changedBy { id } changedAt }
  }
`;
const OPEN = /* GraphQL */ `
  mutation Open($input: OpenDeviationInput!) { openDeviation(input: $input) { ...DeviationFields } }
  ${DEVIATION}
`;
const UPDATE = /* GraphQL */ `
  mutation Update($id: ID!, $input: UpdateDeviationInput!) { updateDeviation(id: $id, input: $input) { ...DeviationFields } }
  ${DEVIATION}
`;
const CLOSE = /* GraphQL */ `
  mutation Close($id: ID!, $input: CloseDeviationInput!) { closeDeviation(id: $id, input: $input) { ...DeviationFields } }
  ${DEVIATION}
`;
const ONE = /* GraphQL */ `
  query One($id: ID!) { deviation(id: $id) { id number status version } }
`;
const LIST = /* GraphQL */ `
  query List($status: DeviationStatus, $batchId: ID) { deviations(status: $status, batchId: $batchId) { id number status } }
`;

interface Caller {
  id: string;
  token: string;
}

let qa: TestQaServer;
let qaUser: Caller;
let productionUser: Caller;
let viewer: Caller;

function caller(role: Role): Caller {
  const { userId, token } = qa.signIn(role);
  return { id: userId, token };
}

beforeAll(async () => {
  qa = await startQaServer();
  qaUser = caller("QA");
  productionUser = caller("PRODUCTION");
  viewer = caller("VIEWER");
});

afterAll(() => qa?.stop());

/** A new batch known to the stand-in, in `status`. */
const batch = (status: BatchStatus = "IN_PROGRESS") => qa.addBatch("PARA-500", status);

const call = (query: string, variables: Record<string, unknown>, who: Caller) => graphql(qa.url, query, variables, who.token);

/** The errors as a client sees them, without locations. */
const errorsOf = (result: GraphQLResult) => result.errors?.map(({ message, path, extensions }) => ({ message, path, extensions }));

type Deviation = Record<string, any>;
type FieldChange = { field: string; from: string | null; to: string | null };
type HistoryEntry = { action: string; changes: FieldChange[]; changedBy: { id: string }; changedAt: string };

// A history entry's changes are stored as one JSONB object, which keeps no order of its own: compared in TRACKED_FIELDS order.
const inFieldOrder = (changes: FieldChange[]) =>
  [...changes].sort((a, b) => TRACKED_FIELDS.indexOf(a.field as never) - TRACKED_FIELDS.indexOf(b.field as never));
const historyOf = (deviation: Deviation) =>
  (deviation.history as HistoryEntry[]).map(({ action, changes, changedBy }) => ({ action, changes: inFieldOrder(changes), changedBy }));

async function open(who: Caller = qaUser, batchId = batch().id, fields: Record<string, unknown> = {}): Promise<Deviation> {
  const input = { batchId, title: "Granulate too wet", description: "LOD 4.1 % after drying,\nlimit 3.0 %.", classification: "MINOR", ...fields };
  const result = await call(OPEN, { input }, who);
  expect(result.errors).toBeUndefined();
  return result.data!.openDeviation;
}

const outbox = (batchId: string) =>
  qa.runtime.prisma.qaOutboxEvent.findMany({ where: { batchId }, orderBy: { sequence: "asc" }, select: { type: true, envelope: true } });

describe("openDeviation", () => {
  it.each([
    ["QA", () => qaUser],
    ["PRODUCTION", () => productionUser],
  ])("opens a deviation for %s with its OPENED history entry and qa.deviation.opened", async (_role, who) => {
    const made = batch("QA_HOLD");
    const deviation = await open(who(), made.id);
    expect(deviation).toMatchObject({
      number: expect.stringMatching(/^DEV-\d+$/),
      batch: { id: made.id },
      title: "Granulate too wet",
      description: "LOD 4.1 % after drying,\nlimit 3.0 %.",
      classification: "MINOR",
      status: "OPEN",
      investigation: null,
      rootCause: null,
      capa: null,
      openedBy: { id: who().id },
      closedBy: null,
      closedAt: null,
      version: 1,
    });
    expect(historyOf(deviation)).toEqual([
      {
        action: "OPENED",
        changes: [
          { field: "title", from: null, to: "Granulate too wet" },
          { field: "description", from: null, to: "LOD 4.1 % after drying,\nlimit 3.0 %." },
          { field: "classification", from: null, to: "MINOR" },
          { field: "status", from: null, to: "OPEN" },
        ],
        changedBy: { id: who().id },
      },
    ]);
    expect(Date.parse(deviation.history[0].changedAt)).toBeGreaterThanOrEqual(Date.parse(deviation.openedAt));
    const events = await outbox(made.id);
    expect(events).toEqual([{ type: "qa.deviation.opened", envelope: expect.objectContaining({ type: "qa.deviation.opened", source: "qa" }) }]);
    expect((events[0]!.envelope as { data: unknown }).data).toEqual({
      deviation_id: deviation.id,
      number: deviation.number,
      batch_id: made.id,
      batch_number: made.batchNumber,
      title: "Granulate too wet",
      classification: "MINOR",
      test_result_id: null,
      opened_by: who().id,
      opened_at: deviation.openedAt,
    });
  });

  it("is refused to a VIEWER with FORBIDDEN", async () => {
    const made = batch();
    const result = await call(OPEN, { input: { batchId: made.id, title: "t", description: "d", classification: "MINOR" } }, viewer);
    expect(result.errors).toEqual([
      {
        message: "Mutation.openDeviation requires scope qa:write or batches:write",
        locations: expect.any(Array),
        path: ["openDeviation"],
        extensions: { code: "FORBIDDEN", requiredScopes: [["qa:write"], ["batches:write"]] },
      },
    ]);
    expect(await qa.runtime.prisma.deviation.count({ where: { batchId: made.id } })).toBe(0);
  });

  it("is refused on a released batch, an unknown batch and a batch QA has decided on", async () => {
    const released = batch("RELEASED");
    const input = { title: "Late finding", description: "Found after release.", classification: "MAJOR" };
    expect(errorsOf(await call(OPEN, { input: { ...input, batchId: released.id } }, qaUser))).toEqual([
      {
        message: `Batch ${released.batchNumber} is RELEASED: a deviation needs a batch in PLANNED, IN_PROGRESS or QA_HOLD`,
        path: ["openDeviation"],
        extensions: { code: "CONFLICT", field: "batchId", status: "RELEASED" },
      },
    ]);
    const unknown = randomUUID();
    expect(errorsOf(await call(OPEN, { input: { ...input, batchId: unknown } }, productionUser))).toEqual([
      { message: `No batch with id ${unknown}`, path: ["openDeviation"], extensions: { code: "NOT_FOUND", field: "batchId" } },
    ]);

    // Signed by QA, not yet applied by production: the batch is still QA_HOLD there.
    const held = batch("QA_HOLD");
    const signedAt = await insertDecision(qa.runtime.prisma, held, qaUser.id);
    expect(errorsOf(await call(OPEN, { input: { ...input, batchId: held.id } }, productionUser))).toEqual([
      {
        message: `Batch ${held.batchNumber} was already RELEASED by QA at ${signedAt.toISOString()}: a deviation cannot be opened on a decided batch`,
        path: ["openDeviation"],
        extensions: { code: "CONFLICT", field: "batchId", status: "RELEASED" },
      },
    ]);
    const ids = [released.id, unknown, held.id];
    expect(await qa.runtime.prisma.deviation.count({ where: { batchId: { in: ids } } })).toBe(0);
    expect(await qa.runtime.prisma.qaOutboxEvent.count({ where: { batchId: { in: ids } } })).toBe(0);
  });

  it("refuses a title on two lines and a description too long, naming the field", async () => {
    const made = batch();
    const input = { batchId: made.id, title: "Granulate", description: "d", classification: "MINOR" };
    expect(errorsOf(await call(OPEN, { input: { ...input, title: "two\nlines" } }, qaUser))).toEqual([
      { message: "title must not contain control characters", path: ["openDeviation"], extensions: { code: "BAD_USER_INPUT", field: "title" } },
    ]);
    expect(errorsOf(await call(OPEN, { input: { ...input, description: "x".repeat(4_001) } }, qaUser))).toEqual([
      {
        message: "description must be at most 4000 characters long",
        path: ["openDeviation"],
        extensions: { code: "BAD_USER_INPUT", field: "description", maxLength: 4_000 },
      },
    ]);
  });
});

describe("updateDeviation", () => {
  it("changes the fields given, records exactly what changed and bumps the version", async () => {
    const deviation = await open();
    const first = await call(
      UPDATE,
      { id: deviation.id, input: { version: 1, classification: "MAJOR", investigation: "Dryer inlet sensor drifted." } },
      qaUser,
    );
    expect(first.errors).toBeUndefined();
    expect(first.data!.updateDeviation).toMatchObject({ classification: "MAJOR", investigation: "Dryer inlet sensor drifted.", rootCause: null, version: 2 });

    // The classification is given again, unchanged: only the investigation is recorded.
    const second = await call(UPDATE, { id: deviation.id, input: { version: 2, classification: "MAJOR", investigation: "Sensor drifted by 4 °C." } }, qaUser);
    expect(second.errors).toBeUndefined();
    const updated = second.data!.updateDeviation;
    expect(updated.version).toBe(3);
    expect(historyOf(updated)).toEqual([
      { action: "OPENED", changes: expect.any(Array), changedBy: { id: qaUser.id } },
      {
        action: "UPDATED",
        changes: [
          { field: "classification", from: "MINOR", to: "MAJOR" },
          { field: "investigation", from: null, to: "Dryer inlet sensor drifted." },
        ],
        changedBy: { id: qaUser.id },
      },
      {
        action: "UPDATED",
        changes: [{ field: "investigation", from: "Dryer inlet sensor drifted.", to: "Sensor drifted by 4 °C." }],
        changedBy: { id: qaUser.id },
      },
    ]);

    // Nothing differs: nothing is written, the version stays.
    const same = await call(UPDATE, { id: deviation.id, input: { version: 3, investigation: "Sensor drifted by 4 °C." } }, qaUser);
    expect(same.errors).toBeUndefined();
    expect(same.data!.updateDeviation).toMatchObject({ version: 3, history: updated.history });
  });

  it("refuses a stale version with CONFLICT and the current version", async () => {
    const deviation = await open();
    await call(UPDATE, { id: deviation.id, input: { version: 1, investigation: "First look." } }, qaUser);
    const stale = await call(UPDATE, { id: deviation.id, input: { version: 1, investigation: "Overwritten?" } }, qaUser);
    expect(errorsOf(stale)).toEqual([
      {
        message: `${deviation.number} changed since version 1 (now 2): read it again`,
        path: ["updateDeviation"],
        extensions: { code: "CONFLICT", currentVersion: 2 },
      },
    ]);
    expect((await call(ONE, { id: deviation.id }, viewer)).data!.deviation).toMatchObject({ version: 2 });
  });

  it("lets exactly one of two concurrent updates of the same version win", async () => {
    const deviation = await open();
    const results = await Promise.all(
      ["Operator A's finding.", "Operator B's finding."].map((investigation) =>
        call(UPDATE, { id: deviation.id, input: { version: 1, investigation } }, qaUser),
      ),
    );
    const won = results.filter((result) => !result.errors);
    const lost = results.filter((result) => result.errors);
    expect(won).toHaveLength(1);
    expect(won[0]!.data!.updateDeviation.version).toBe(2);
    expect(lost.map(errorsOf)).toEqual([
      [
        {
          message: `${deviation.number} changed since version 1 (now 2): read it again`,
          path: ["updateDeviation"],
          extensions: { code: "CONFLICT", currentVersion: 2 },
        },
      ],
    ]);
    const history = await qa.runtime.prisma.deviationChange.findMany({ where: { deviationId: deviation.id, action: "UPDATED" } });
    expect(history).toHaveLength(1);
    expect(history[0]!.changes).toEqual({ investigation: { from: null, to: won[0]!.data!.updateDeviation.investigation } });
  });

  it("refuses an update giving nothing, an unknown id and a malformed one", async () => {
    const deviation = await open();
    expect(errorsOf(await call(UPDATE, { id: deviation.id, input: { version: 1, investigation: null } }, qaUser))).toEqual([
      {
        message: "Nothing to change: give a classification, investigation, rootCause or capa",
        path: ["updateDeviation"],
        extensions: { code: "BAD_USER_INPUT", field: "input" },
      },
    ]);
    for (const id of [randomUUID(), "not-a-uuid"]) {
      expect(errorsOf(await call(UPDATE, { id, input: { version: 1, investigation: "x" } }, qaUser))).toEqual([
        { message: `No deviation with id ${id}`, path: ["updateDeviation"], extensions: { code: "NOT_FOUND", field: "id" } },
      ]);
    }
  });

  it("is refused to PRODUCTION, which cannot close either", async () => {
    const deviation = await open(productionUser);
    expect((await call(UPDATE, { id: deviation.id, input: { version: 1, investigation: "x" } }, productionUser)).errors).toEqual([
      {
        message: "Mutation.updateDeviation requires scope qa:write",
        locations: expect.any(Array),
        path: ["updateDeviation"],
        extensions: { code: "FORBIDDEN", requiredScopes: [["qa:write"]] },
      },
    ]);
    expect((await call(CLOSE, { id: deviation.id, input: { version: 1, rootCause: "r", capa: "c" } }, productionUser)).errors).toEqual([
      {
        message: "Mutation.closeDeviation requires scope qa:write",
        locations: expect.any(Array),
        path: ["closeDeviation"],
        extensions: { code: "FORBIDDEN", requiredScopes: [["qa:write"]] },
      },
    ]);
    expect((await call(ONE, { id: deviation.id }, productionUser)).data!.deviation).toMatchObject({ status: "OPEN", version: 1 });
  });
});

describe("closeDeviation", () => {
  it("needs a root cause and a CAPA, given now or before", async () => {
    const deviation = await open();
    expect(errorsOf(await call(CLOSE, { id: deviation.id, input: { version: 1 } }, qaUser))).toEqual([
      {
        message: `${deviation.number} needs a root cause and a CAPA before it is closed`,
        path: ["closeDeviation"],
        extensions: { code: "BAD_USER_INPUT", field: "rootCause" },
      },
    ]);
    await call(UPDATE, { id: deviation.id, input: { version: 1, rootCause: "Sensor out of calibration." } }, qaUser);
    expect(errorsOf(await call(CLOSE, { id: deviation.id, input: { version: 2 } }, qaUser))).toEqual([
      {
        message: `${deviation.number} needs a root cause and a CAPA before it is closed`,
        path: ["closeDeviation"],
        extensions: { code: "BAD_USER_INPUT", field: "capa" },
      },
    ]);
    expect(await qa.runtime.prisma.deviation.findUniqueOrThrow({ where: { id: deviation.id } })).toMatchObject({ status: "OPEN", version: 2 });
  });

  it("closes with the root cause and CAPA: CLOSED, who and when, its history entry and qa.deviation.closed", async () => {
    const made = batch("QA_HOLD");
    const deviation = await open(productionUser, made.id);
    await call(UPDATE, { id: deviation.id, input: { version: 1, rootCause: "Sensor drift." } }, qaUser);
    const result = await call(CLOSE, { id: deviation.id, input: { version: 2, rootCause: "Sensor out of calibration.", capa: "Calibrate monthly." } }, qaUser);
    expect(result.errors).toBeUndefined();
    const closed = result.data!.closeDeviation;
    expect(closed).toMatchObject({
      status: "CLOSED",
      rootCause: "Sensor out of calibration.",
      capa: "Calibrate monthly.",
      openedBy: { id: productionUser.id },
      closedBy: { id: qaUser.id },
      closedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      version: 3,
    });
    expect(historyOf(closed).at(-1)).toEqual({
      action: "CLOSED",
      changes: [
        { field: "status", from: "OPEN", to: "CLOSED" },
        { field: "rootCause", from: "Sensor drift.", to: "Sensor out of calibration." },
        { field: "capa", from: null, to: "Calibrate monthly." },
      ],
      changedBy: { id: qaUser.id },
    });
    expect(closed.history.map((entry: Deviation) => entry.action)).toEqual(["OPENED", "UPDATED", "CLOSED"]);

    const events = await outbox(made.id);
    expect(events.map((event) => event.type)).toEqual(["qa.deviation.opened", "qa.deviation.closed"]);
    expect(events[1]!.envelope).toMatchObject({
      type: "qa.deviation.closed",
      source: "qa",
      data: {
        deviation_id: deviation.id,
        number: deviation.number,
        batch_id: made.id,
        classification: "MINOR",
        root_cause: "Sensor out of calibration.",
        capa: "Calibrate monthly.",
        closed_by: qaUser.id,
        closed_at: closed.closedAt,
      },
    });
  });

  it("is final: a closed deviation refuses update and close", async () => {
    const deviation = await open();
    const closing = await call(CLOSE, { id: deviation.id, input: { version: 1, rootCause: "Human error.", capa: "Retraining." } }, qaUser);
    expect(closing.errors).toBeUndefined();
    const refusal = (path: string) => [
      { message: `${deviation.number} is closed: a closed deviation does not change`, path: [path], extensions: { code: "CONFLICT", status: "CLOSED" } },
    ];
    expect(errorsOf(await call(UPDATE, { id: deviation.id, input: { version: 2, investigation: "More." } }, qaUser))).toEqual(refusal("updateDeviation"));
    expect(errorsOf(await call(CLOSE, { id: deviation.id, input: { version: 2 } }, qaUser))).toEqual(refusal("closeDeviation"));
    expect(await qa.runtime.prisma.deviationChange.count({ where: { deviationId: deviation.id } })).toBe(2);
  });
});

describe("deviation queries", () => {
  it("finds a deviation by id and a batch's open deviations, newest first", async () => {
    const made = batch();
    const first = await open(qaUser, made.id);
    const second = await open(productionUser, made.id);
    await call(CLOSE, { id: first.id, input: { version: 1, rootCause: "Known cause.", capa: "Fixed." } }, qaUser);
    await open(qaUser); // on another batch

    const openOnes = await call(LIST, { status: "OPEN", batchId: made.id }, viewer);
    expect(openOnes.errors).toBeUndefined();
    expect(openOnes.data!.deviations).toEqual([{ id: second.id, number: second.number, status: "OPEN" }]);
    const all = await call(LIST, { batchId: made.id }, viewer);
    expect(all.data!.deviations.map((deviation: Deviation) => deviation.id)).toEqual([second.id, first.id]);

    expect((await call(ONE, { id: first.id }, viewer)).data).toEqual({ deviation: { id: first.id, number: first.number, status: "CLOSED", version: 2 } });
    expect((await call(ONE, { id: "not-a-uuid" }, viewer)).data).toEqual({ deviation: null });
  });
});

describe("the deviation records in PostgreSQL", () => {
  it("refuses to change or delete the history and to delete a deviation", async () => {
    const deviation = await open();
    const sql = (statement: string) => qa.runtime.prisma.$executeRawUnsafe(statement, deviation.id);
    await expect(sql(`UPDATE qa.deviation_changes SET action = 'UPDATED' WHERE deviation_id = $1::uuid`)).rejects.toThrow(
      "qa.deviation_changes is append-only: UPDATE refused",
    );
    await expect(sql(`DELETE FROM qa.deviation_changes WHERE deviation_id = $1::uuid`)).rejects.toThrow("qa.deviation_changes is append-only: DELETE refused");
    await expect(sql(`DELETE FROM qa.deviations WHERE id = $1::uuid`)).rejects.toThrow("qa.deviations is append-only: DELETE refused");
    expect(await qa.runtime.prisma.deviationChange.count({ where: { deviationId: deviation.id } })).toBe(1);
  });
});
