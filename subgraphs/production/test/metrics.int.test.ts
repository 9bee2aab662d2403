import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startJwksServer, type JwksServer } from "./jwksServer.js";
import { startProductionServer, uniqueBatchNumber, type TestProductionServer } from "./productionServer.js";

const QUERY = /* GraphQL */ `
  query Metrics($from: DateTime!, $to: DateTime!) {
    productionMetrics(from: $from, to: $to) {
      from to completed averageYield averageCycleTimeHours
      countsByStatus { status count }
      completedPerDay { date count }
    }
  }
`;

const STATUSES = ["PLANNED", "IN_PROGRESS", "QA_HOLD", "RELEASED", "COMPLETED", "REJECTED", "CANCELLED"] as const;
const HOUR = 3_600_000;

// A week of its own, years ahead, where no other test of the run writes.
const FROM = new Date("2031-03-01T00:00:00.000Z");
const TO = new Date("2031-03-08T00:00:00.000Z");
const at = (hours: number) => new Date(FROM.getTime() + hours * HOUR);

/** A seeded batch: its figures and the times its statuses were reached. */
interface Seeded {
  id: string;
  createdAt: Date;
  status: (typeof STATUSES)[number];
  planned: number;
  actual: number | null;
  /** [status, time] in order; the first is the creation (PLANNED). */
  changes: Array<[string, Date]>;
}

function seededBatches(): Seeded[] {
  const batches: Seeded[] = [];
  const add = (createdHours: number, planned: number, path: Array<[string, number]>, actual: number | null = null) => {
    const changes: Array<[string, Date]> = [["PLANNED", at(createdHours)], ...path.map(([s, h]): [string, Date] => [s, at(h)])];
    batches.push({ id: randomUUID(), createdAt: at(createdHours), status: changes.at(-1)![0] as Seeded["status"], planned, actual, changes });
  };
  const complete = (start: number, done: number): Array<[string, number]> => [
    ["IN_PROGRESS", start],
    ["QA_HOLD", start + 5],
    ["RELEASED", start + 7],
    ["COMPLETED", done],
  ];
  add(1, 1000, complete(2, 30), 950.5);
  add(3, 500, complete(4, 50), 480.25);
  add(
    10,
    800,
    [
      ["IN_PROGRESS", 11],
      ["QA_HOLD", 20],
      ["IN_PROGRESS", 22],
      ["QA_HOLD", 40],
      ["RELEASED", 41],
      ["COMPLETED", 52],
    ],
    812,
  );
  add(-30, 1200, complete(-20, 75), 1100); // created before the range, completed in it
  add(100, 300, complete(101, 200), 290); // completed after the range
  add(20, 100, [["IN_PROGRESS", 21]]);
  add(25, 100, [
    ["IN_PROGRESS", 26],
    ["QA_HOLD", 30],
  ]);
  add(26, 100, [
    ["IN_PROGRESS", 27],
    ["QA_HOLD", 31],
    ["REJECTED", 33],
  ]);
  add(40, 100, [["CANCELLED", 41]]);
  add(60, 100, []);
  add(167.9, 100, []); // the last minutes of the range
  add(168, 100, []); // `to` itself is outside
  return batches;
}

/** The figures computed here, from the seed alone, as the API must report them. */
function expected(batches: Seeded[]) {
  const within = (d: Date) => d >= FROM && d < TO;
  const completions = batches.flatMap((b) => {
    const done = b.changes.find(([s]) => s === "COMPLETED")?.[1];
    const started = b.changes.find(([s]) => s === "IN_PROGRESS")?.[1];
    return done && within(done) ? [{ b, done, started: started! }] : [];
  });
  const mean = (values: number[]) => (values.length ? values.reduce((a, v) => a + v, 0) / values.length : null);
  const days = Array.from({ length: 7 }, (_, i) => new Date(FROM.getTime() + i * 24 * HOUR).toISOString().slice(0, 10));
  return {
    from: FROM.toISOString(),
    to: TO.toISOString(),
    completed: completions.length,
    averageYield: mean(completions.map(({ b }) => b.actual! / b.planned)),
    averageCycleTimeHours: mean(completions.map(({ done, started }) => (done.getTime() - started.getTime()) / HOUR)),
    countsByStatus: STATUSES.map((status) => ({ status, count: batches.filter((b) => within(b.createdAt) && b.status === status).length })),
    completedPerDay: days.map((date) => ({ date, count: completions.filter(({ done }) => done.toISOString().startsWith(date)).length })),
  };
}

let auth: JwksServer;
let server: TestProductionServer;
let batches: Seeded[];

beforeAll(async () => {
  auth = await startJwksServer();
  server = await startProductionServer(auth);
  batches = seededBatches();
  const sql = new pg.Client({ connectionString: inject("databaseUrl") });
  await sql.connect();
  try {
    const by = randomUUID();
    for (const b of batches) {
      await sql.query(
        `INSERT INTO production.batches (id, batch_number, product_code, product_name, planned_quantity, actual_quantity, unit, status, created_by, created_at, updated_at)
         VALUES ($1, $2, 'MET-1', 'Metrics product', $3, $4, 'kg', $5, $6, $7, $7)`,
        [b.id, uniqueBatchNumber("M"), b.planned, b.actual, b.status, by, b.createdAt],
      );
      let from: string | null = null;
      for (const [status, time] of b.changes) {
        await sql.query(
          `INSERT INTO production.batch_status_changes (id, batch_id, from_status, to_status, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6)`,
          [randomUUID(), b.id, from, status, by, time],
        );
        from = status;
      }
    }
  } finally {
    await sql.end();
  }
});

afterAll(async () => {
  await server?.stop();
  await auth?.stop();
});

describe("productionMetrics", () => {
  it("equals the figures computed independently from the seeded batches", async () => {
    const result = await server.call(QUERY, { from: FROM.toISOString(), to: TO.toISOString() }, server.signIn("VIEWER").token);
    expect(result.errors).toBeUndefined();
    const want = expected(batches);
    const got = result.data!.productionMetrics;
    expect({ ...got, averageYield: undefined, averageCycleTimeHours: undefined }).toEqual({
      ...want,
      averageYield: undefined,
      averageCycleTimeHours: undefined,
    });
    expect(got.averageYield).toBeCloseTo(want.averageYield!, 10);
    expect(got.averageCycleTimeHours).toBeCloseTo(want.averageCycleTimeHours!, 10);
    // The seed is not trivial: the range holds completions, rework and exclusions on both sides.
    expect(want.completed).toBe(4);
  });

  it("reports nulls and zeros for a range without batches", async () => {
    const from = "2031-06-01T00:00:00.000Z";
    const result = await server.call(QUERY, { from, to: "2031-06-02T00:00:00.000Z" }, server.signIn("VIEWER").token);
    expect(result.data!.productionMetrics).toMatchObject({
      completed: 0,
      averageYield: null,
      averageCycleTimeHours: null,
      completedPerDay: [{ date: "2031-06-01", count: 0 }],
    });
  });

  it("refuses an empty or too long range with BAD_USER_INPUT", async () => {
    const token = server.signIn("VIEWER").token;
    const empty = await server.call(QUERY, { from: TO.toISOString(), to: FROM.toISOString() }, token);
    expect(empty.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual([
      { message: "to must be later than from", extensions: { code: "BAD_USER_INPUT", field: "to" } },
    ]);
    const long = await server.call(QUERY, { from: "2030-01-01T00:00:00Z", to: "2031-03-01T00:00:00Z" }, token);
    expect(long.errors?.[0]?.message).toBe("The range may span at most 366 days");
  });
});
