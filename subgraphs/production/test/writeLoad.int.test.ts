import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { TRANSACTION_OPTIONS } from "#lib/prisma.js";
import { startJwksServer, type JwksServer } from "./jwksServer.js";
import { batchInput, CHANGE_STATUS, UPDATE_BATCH } from "./operations.js";
import { startProductionServer, uniqueBatchNumber, type Caller, type TestProductionServer } from "./productionServer.js";

/**
 * Writes while every connection of the pool is busy for longer than an interactive transaction
 * may wait for one (`TRANSACTION_OPTIONS.maxWait`): the load of a burst of writes on a busy
 * machine, made certain with a pool of one connection held by a slow statement. A status change
 * waits its turn and succeeds; a write that still needs a transaction is refused as
 * SERVICE_UNAVAILABLE (try again), never as an internal error.
 */
const CHANGES = 50;

let auth: JwksServer;
let server: TestProductionServer;
let production: Caller;

beforeAll(async () => {
  auth = await startJwksServer();
  const url = new URL(inject("databaseUrl"));
  url.searchParams.set("connection_limit", "1");
  server = await startProductionServer(auth, { databaseUrl: url.toString() });
  production = server.signIn("PRODUCTION");
});

afterAll(async () => {
  await server?.stop();
  await auth?.stop();
});

/** Takes the pool's only connection for longer than a transaction waits for one (from the call on: a Prisma query starts when awaited). */
async function holdThePool(): Promise<void> {
  await server.runtime.prisma.$queryRaw`SELECT pg_sleep(${(TRANSACTION_OPTIONS.maxWait + 1_000) / 1_000}::float8)::text`;
}

/** PLANNED batches at version 1, inserted at once (createBatch, one at a time, is not what is tested here). */
async function createBatches(count: number): Promise<string[]> {
  const now = new Date();
  const rows = Array.from({ length: count }, () => ({
    id: randomUUID(),
    ...batchInput(uniqueBatchNumber("L")),
    createdById: production.userId,
    createdAt: now,
    updatedAt: now,
  }));
  await server.runtime.prisma.batch.createMany({ data: rows });
  return rows.map((row) => row.id);
}

it(`applies ${CHANGES} concurrent status changes that wait for a busy pool longer than a transaction may`, async () => {
  const ids = await createBatches(CHANGES);
  const held = holdThePool();
  const results = await Promise.all(ids.map((id) => server.call(CHANGE_STATUS, { id, status: "IN_PROGRESS", version: 1 }, production.token)));
  await held;
  expect(results.map((r) => r.errors ?? r.data!.changeBatchStatus)).toEqual(
    ids.map((id) => ({ id, status: "IN_PROGRESS", version: 2, actualQuantity: null, yield: null })),
  );
  const { prisma } = server.runtime;
  expect(await prisma.batchStatusChange.count({ where: { batchId: { in: ids }, toStatus: "IN_PROGRESS" } })).toBe(CHANGES);
  expect(await prisma.outboxEvent.count({ where: { batchId: { in: ids }, type: "batch.status.changed" } })).toBe(CHANGES);
}, 60_000);

it("refuses a transaction that gets no connection in time as SERVICE_UNAVAILABLE, not as an internal error", async () => {
  const [id] = await createBatches(1);
  const held = holdThePool();
  const result = await server.call(UPDATE_BATCH, { id, version: 1, input: { productName: "Ibuprofen 400 mg tablets" } }, production.token);
  await held;
  expect({ data: result.data, errors: result.errors }).toEqual({
    data: null,
    errors: [
      {
        message: "PostgreSQL is unavailable; try again shortly",
        locations: [{ line: 3, column: 5 }],
        path: ["updateBatch"],
        extensions: { code: "SERVICE_UNAVAILABLE", dependency: "postgresql" },
      },
    ],
  });
}, 30_000);
