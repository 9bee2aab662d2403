/**
 * `productionMetrics`: figures over a time range, computed by PostgreSQL with aggregates (three
 * statements whatever the number of batches). Completion and start times come from the audit
 * trail, the record of when each status was reached.
 */
import type { PrismaClient } from "../../../../generated/prisma/client.js";
import { BatchStatus } from "../../../../generated/prisma/enums.js";
import { apiError } from "#lib/errors.js";

/** Longest range asked for at once, in days (a year, leap day included). */
export const MAX_RANGE_DAYS = 366;

const DAY_MS = 86_400_000;

/** The figures, in the shape of the GraphQL `ProductionMetrics` type. */
export interface ProductionMetricsResult {
  from: Date;
  to: Date;
  countsByStatus: Array<{ status: BatchStatus; count: number }>;
  completed: number;
  averageYield: number | null;
  averageCycleTimeHours: number | null;
  completedPerDay: Array<{ date: string; count: number }>;
}

function checkRange(from: Date, to: Date): void {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to <= from) {
    throw apiError("BAD_USER_INPUT", "to must be later than from", { field: "to" });
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw apiError("BAD_USER_INPUT", `The range may span at most ${MAX_RANGE_DAYS} days`, { field: "to" });
  }
}

/** Batches created in `[from, to)` by their current status. */
const statusCounts = (prisma: PrismaClient, from: Date, to: Date) => prisma.$queryRaw<Array<{ status: BatchStatus; count: number }>>`
  SELECT status::text AS status, count(*)::int AS count
  FROM production.batches
  WHERE created_at >= ${from}::timestamptz AND created_at < ${to}::timestamptz
  GROUP BY status`;

/**
 * Count, average yield and average cycle time of the batches completed in `[from, to)`. A batch
 * planned at 0 (a row older than the quantity checks) has no yield: `avg` skips its null.
 */
const completions = (prisma: PrismaClient, from: Date, to: Date) => prisma.$queryRaw<
  Array<{ completed: number; average_yield: number | null; average_cycle_hours: number | null }>
>`
  WITH completed AS (
    SELECT batch_id, changed_at AS completed_at
    FROM production.batch_status_changes
    WHERE to_status = 'COMPLETED' AND changed_at >= ${from}::timestamptz AND changed_at < ${to}::timestamptz
  ), started AS (
    SELECT s.batch_id, min(s.changed_at) AS started_at
    FROM production.batch_status_changes s JOIN completed c USING (batch_id)
    WHERE s.to_status = 'IN_PROGRESS'
    GROUP BY s.batch_id
  )
  SELECT count(*)::int AS completed,
         avg(b.actual_quantity / nullif(b.planned_quantity, 0))::float8 AS average_yield,
         (avg(extract(epoch FROM c.completed_at - s.started_at)) / 3600)::float8 AS average_cycle_hours
  FROM completed c
  JOIN production.batches b ON b.id = c.batch_id
  LEFT JOIN started s USING (batch_id)`;

/** Completions per UTC day of the range, every day listed. */
const perDay = (prisma: PrismaClient, from: Date, to: Date) => prisma.$queryRaw<Array<{ date: string; count: number }>>`
  SELECT to_char(d.day, 'YYYY-MM-DD') AS date, count(c.batch_id)::int AS count
  FROM generate_series(
         date_trunc('day', ${from}::timestamptz AT TIME ZONE 'UTC'),
         (${to}::timestamptz - interval '1 millisecond') AT TIME ZONE 'UTC',
         interval '1 day') AS d(day)
  LEFT JOIN production.batch_status_changes c
    ON c.to_status = 'COMPLETED'
   AND c.changed_at >= ${from}::timestamptz AND c.changed_at < ${to}::timestamptz
   AND date_trunc('day', c.changed_at AT TIME ZONE 'UTC') = d.day
  GROUP BY d.day
  ORDER BY d.day`;

/** The production figures over `[from, to)`; BAD_USER_INPUT for an empty or too long range. */
export async function productionMetrics(prisma: PrismaClient, from: Date, to: Date): Promise<ProductionMetricsResult> {
  checkRange(from, to);
  const [counts, [totals], days] = await Promise.all([statusCounts(prisma, from, to), completions(prisma, from, to), perDay(prisma, from, to)]);
  const byStatus = new Map(counts.map((row) => [row.status, row.count]));
  return {
    from,
    to,
    countsByStatus: Object.values(BatchStatus).map((status) => ({ status, count: byStatus.get(status) ?? 0 })),
    completed: totals?.completed ?? 0,
    averageYield: totals?.average_yield ?? null,
    averageCycleTimeHours: totals?.average_cycle_hours ?? null,
    completedPerDay: days,
  };
}
