/**
 * The bench's data, written straight into its own database with SQL (seconds, not the minutes
 * the API would take): creators and readers, a dashboard's worth of batches with status
 * histories, and a pool of PLANNED batches for the write shape to start, one each.
 */
import { randomUUID } from "node:crypto";
import { withClient } from "../../scripts/database.js";

export interface BenchData {
  viewer: { id: string; email: string };
  production: { id: string; email: string };
  /** A batch with a few status changes, for the single-batch shape. */
  batchId: string;
  /** PLANNED batches, each started once by the write shape. */
  plannedIds: string[];
}

/** Inserts `creators` PRODUCTION users, one VIEWER, `batches` batches with histories and `planned` PLANNED ones. */
export async function seedBenchData(databaseUrl: string, { creators = 8, batches = 600, planned = 40_000 } = {}): Promise<BenchData> {
  return withClient(databaseUrl, async (db) => {
    const users = Array.from({ length: creators }, (_, i) => ({ id: randomUUID(), email: `creator${i}@bench.example.com`, role: "PRODUCTION" }));
    const viewer = { id: randomUUID(), email: "viewer@bench.example.com", role: "VIEWER" };
    for (const u of [...users, viewer]) {
      await db.query(
        `INSERT INTO users.users (id, email, name, roles, active, created_at, updated_at) VALUES ($1, $2, $3, ARRAY[$4]::users."Role"[], true, now(), now())`,
        [u.id, u.email, `Bench ${u.email.split("@")[0]}`, u.role],
      );
    }
    const creatorIds = users.map((u) => u.id);
    // Batches spread over the creators, each PLANNED -> IN_PROGRESS -> QA_HOLD in its history.
    await db.query(
      `INSERT INTO production.batches (id, batch_number, product_code, product_name, planned_quantity, unit, status, stage, created_by, created_at, updated_at, version)
       SELECT gen_random_uuid(), 'BENCH-' || lpad(i::text, 6, '0'), 'PARA-500', 'Paracetamol 500 mg', 100000, 'tablets', 'QA_HOLD', 'PACKAGING',
              ($1::uuid[])[1 + i % array_length($1::uuid[], 1)], now() - make_interval(mins => i), now(), 3
       FROM generate_series(1, $2) AS i`,
      [creatorIds, batches],
    );
    await db.query(
      `INSERT INTO production.batch_status_changes (id, batch_id, from_status, to_status, changed_by, changed_at)
       SELECT gen_random_uuid(), b.id, s.from_status::production."BatchStatus", s.to_status::production."BatchStatus", b.created_by, b.created_at + s.offset_minutes * interval '1 minute'
       FROM production.batches b,
            (VALUES (NULL, 'PLANNED', 0), ('PLANNED', 'IN_PROGRESS', 1), ('IN_PROGRESS', 'QA_HOLD', 2)) AS s(from_status, to_status, offset_minutes)
       WHERE b.batch_number LIKE 'BENCH-%'`,
    );
    const { rows: planned_ } = await db.query<{ id: string }>(
      `INSERT INTO production.batches (id, batch_number, product_code, product_name, planned_quantity, unit, status, stage, created_by, created_at, updated_at, version)
       SELECT gen_random_uuid(), 'PLAN-' || lpad(i::text, 6, '0'), 'IBU-200', 'Ibuprofen 200 mg', 50000, 'tablets', 'PLANNED', 'DISPENSING',
              ($1::uuid[])[1 + i % array_length($1::uuid[], 1)], now() - interval '30 days' - make_interval(secs => i), now(), 1
       FROM generate_series(1, $2) AS i
       RETURNING id`,
      [creatorIds, planned],
    );
    await db.query(
      `INSERT INTO production.batch_status_changes (id, batch_id, from_status, to_status, changed_by, changed_at)
       SELECT gen_random_uuid(), id, NULL, 'PLANNED', created_by, created_at FROM production.batches WHERE batch_number LIKE 'PLAN-%'`,
    );
    // Vacuumed and analysed now, not by autovacuum waking for the rows just written in the
    // middle of the first gateway's measurements.
    await db.query(`VACUUM ANALYZE users.users, production.batches, production.batch_status_changes`);
    const {
      rows: [one],
    } = await db.query<{ id: string }>(`SELECT id FROM production.batches WHERE batch_number = 'BENCH-000001'`);
    return {
      viewer: { id: viewer.id, email: viewer.email },
      production: { id: users[0]!.id, email: users[0]!.email },
      batchId: one!.id,
      plannedIds: planned_.map((r) => r.id),
    };
  });
}
