import { randomUUID } from "node:crypto";
import type { Batch, PrismaClient } from "../../../../generated/prisma/client.js";
import type { BatchStage } from "../../../../generated/prisma/enums.js";
import type { Actor } from "./actor.js";
import { BATCH_COLUMNS } from "./batchColumns.js";

/**
 * Moves `batch` (as it was read) to `stage` and writes the stage history row in ONE statement,
 * like {@link writeStatusChange}: the conditional update on the version read, and the insert
 * reading the updated row. Null when the version moved meanwhile (nothing written); otherwise
 * the batch as updated.
 */
export async function writeStageChange(
  prisma: Pick<PrismaClient, "$queryRaw">,
  batch: Batch,
  stage: BatchStage,
  actor: Actor,
  at: Date,
): Promise<Batch | null> {
  const rows = await prisma.$queryRaw<Batch[]>`
    WITH advanced AS (
      UPDATE production.batches
         SET stage = ${stage}::production."BatchStage", version = version + 1, updated_at = ${at}::timestamptz
       WHERE id = ${batch.id}::uuid AND version = ${batch.version}::int
      RETURNING *
    ), history AS (
      INSERT INTO production.batch_stage_changes (id, batch_id, from_stage, to_stage, changed_by, changed_at)
      SELECT ${randomUUID()}::uuid, a.id, ${batch.stage}::production."BatchStage", a.stage, ${actor.userId}::uuid, ${at}::timestamptz
        FROM advanced AS a
    )
    SELECT ${BATCH_COLUMNS} FROM advanced`;
  return rows[0] ?? null;
}
