import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ADVANCE_STAGE, batchInput, CHANGE_STATUS, CREATE_BATCH } from "./operations.js";
import { startJwksServer, type JwksServer } from "./jwksServer.js";
import { startProductionServer, uniqueBatchNumber, type TestProductionServer } from "./productionServer.js";

let auth: JwksServer;
let server: TestProductionServer;
let sql: pg.Client;
let batchId: string;

beforeAll(async () => {
  auth = await startJwksServer();
  server = await startProductionServer(auth);
  sql = new pg.Client({ connectionString: inject("databaseUrl") });
  await sql.connect();
  batchId = await startedBatch();
});

/** A new batch put in progress and advanced one stage: two entries in each record. */
async function startedBatch(): Promise<string> {
  const { token } = server.signIn("PRODUCTION");
  const created = await server.call(CREATE_BATCH, { input: batchInput(uniqueBatchNumber()) }, token);
  const id = created.data!.createBatch.id as string;
  expect((await server.call(CHANGE_STATUS, { id, status: "IN_PROGRESS" }, token)).errors).toBeUndefined();
  expect((await server.call(ADVANCE_STAGE, { id }, token)).errors).toBeUndefined();
  return id;
}

const RECORDS = [
  { table: "batch_status_changes", edit: "SET reason = 'edited'" },
  { table: "batch_stage_changes", edit: "SET to_stage = 'PACKAGING'" },
];

/** Every kind of edit of a batch's records, each of which must be refused. */
async function attemptEdits(id: string) {
  for (const { table, edit } of RECORDS) {
    for (const statement of [`UPDATE production.${table} ${edit} WHERE batch_id = $1`, `DELETE FROM production.${table} WHERE batch_id = $1`]) {
      await expect(sql.query(statement, [id])).rejects.toMatchObject({ code: "42501" });
    }
    await expect(sql.query(`TRUNCATE production.${table} CASCADE`)).rejects.toMatchObject({ code: "42501" });
  }
  await expect(sql.query("DELETE FROM production.batches WHERE id = $1", [id])).rejects.toMatchObject({ code: "23503" });
}

afterAll(async () => {
  await sql?.end();
  await server?.stop();
  await auth?.stop();
});

// Both records of a batch are append-only in the database itself, whatever the client.
describe.each(RECORDS)("production.$table in the database", ({ table, edit }) => {
  const refused = (operation: string) => ({ code: "42501", message: `production.${table} is append-only: ${operation} refused` });

  it.each([
    ["UPDATE", `UPDATE production.${table} ${edit} WHERE batch_id = $1`],
    ["DELETE", `DELETE FROM production.${table} WHERE batch_id = $1`],
    // Refused even when nothing matches: the statement itself is not allowed.
    ["UPDATE", `UPDATE production.${table} ${edit} WHERE batch_id = $1 AND false`],
    ["DELETE", `DELETE FROM production.${table} WHERE batch_id = $1 AND false`],
  ])("refuses %s by SQL, whoever sends it", async (operation, statement) => {
    await expect(sql.query(statement, [batchId])).rejects.toMatchObject(refused(operation));
  });

  it("refuses TRUNCATE", async () => {
    await expect(sql.query(`TRUNCATE production.${table} CASCADE`)).rejects.toMatchObject(refused("TRUNCATE"));
  });
});

describe("the audit trail in the database", () => {
  it("keeps the batch while it has audit entries", async () => {
    await expect(sql.query("DELETE FROM production.batches WHERE id = $1", [batchId])).rejects.toMatchObject({ code: "23503" });
  });

  it("still holds every entry after the attempts", async () => {
    const id = await startedBatch();
    await attemptEdits(id);
    const { rows } = await sql.query(
      "SELECT from_status::text, to_status::text, reason FROM production.batch_status_changes WHERE batch_id = $1 ORDER BY changed_at",
      [id],
    );
    expect(rows).toEqual([
      { from_status: null, to_status: "PLANNED", reason: null },
      { from_status: "PLANNED", to_status: "IN_PROGRESS", reason: null },
    ]);
  });

  it("writes the audit entry and the event of a status change with the change, never without it", async () => {
    const batchId = await startedBatch();
    const counts = async () => {
      const { rows } = await sql.query<{ changes: number; events: number; version: number }>(
        `SELECT (SELECT count(*)::int FROM production.batch_status_changes WHERE batch_id = $1) AS changes,
                (SELECT count(*)::int FROM production.outbox_events WHERE batch_id = $1) AS events,
                (SELECT version FROM production.batches WHERE id = $1) AS version`,
        [batchId],
      );
      return rows[0]!;
    };
    const before = await counts();
    // Refused by the status machine: nothing at all is written.
    const refused = await server.call(CHANGE_STATUS, { id: batchId, status: "RELEASED" }, server.signIn("QA").token);
    expect(refused.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(await counts()).toEqual(before);
    const accepted = await server.call(CHANGE_STATUS, { id: batchId, status: "QA_HOLD" }, server.signIn("PRODUCTION").token);
    expect(accepted.errors).toBeUndefined();
    expect(await counts()).toEqual({ changes: before.changes + 1, events: before.events + 1, version: before.version + 1 });
  });
});

describe("the stage history in the database", () => {
  it("still holds every entry after the attempts", async () => {
    const id = await startedBatch();
    await attemptEdits(id);
    const { rows } = await sql.query("SELECT from_stage::text, to_stage::text FROM production.batch_stage_changes WHERE batch_id = $1 ORDER BY changed_at", [
      id,
    ]);
    expect(rows).toEqual([
      { from_stage: null, to_stage: "DISPENSING" },
      { from_stage: "DISPENSING", to_stage: "GRANULATION" },
    ]);
  });
});
