-- Stage history: every stage a batch has been at, who moved it there and when. Generated with
-- `prisma migrate diff`, then extended by hand below the line.

-- CreateTable
CREATE TABLE "production"."batch_stage_changes" (
    "id" UUID NOT NULL,
    "batch_id" UUID NOT NULL,
    "from_stage" "production"."BatchStage",
    "to_stage" "production"."BatchStage" NOT NULL,
    "changed_by" UUID NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "batch_stage_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "batch_stage_changes_batch_id_changed_at_idx" ON "production"."batch_stage_changes"("batch_id", "changed_at");

-- AddForeignKey
ALTER TABLE "production"."batch_stage_changes" ADD CONSTRAINT "batch_stage_changes_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "production"."batches"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- ------------------------------------------------------------------ written by hand
-- Prisma's driver adapter splits a migration at every semicolon, even inside function bodies
-- and comments: the body below is an E'' string where \073 stands for the semicolons
-- PL/pgSQL needs, and no comment holds one.

-- Append-only, like the status audit trail: statement-level triggers refuse UPDATE and DELETE
-- (even when they match no row) and TRUNCATE. A function of its own rather than
-- production.refuse_audit_change(), whose message names batch_status_changes.
CREATE FUNCTION "production"."refuse_stage_history_change"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  RAISE EXCEPTION ''production.batch_stage_changes is append-only: % refused'', TG_OP
    USING ERRCODE = ''insufficient_privilege'',
          HINT = ''Stage changes are batch records: record a new change instead.''\073
END
';

CREATE TRIGGER "batch_stage_changes_append_only"
  BEFORE UPDATE OR DELETE ON "production"."batch_stage_changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "production"."refuse_stage_history_change"();

CREATE TRIGGER "batch_stage_changes_no_truncate"
  BEFORE TRUNCATE ON "production"."batch_stage_changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "production"."refuse_stage_history_change"();

-- Backfill: batches created before this migration get their creation entry only, the first
-- stage (DISPENSING, where every batch starts) set by its creator when it was created. Their
-- earlier stage advances were never recorded, and inventing them (times, authors) would make
-- a false record, so none is written: for a batch that had advanced already, the history
-- starts with its creation and the stage it is at now may not appear in it.
INSERT INTO "production"."batch_stage_changes" ("id", "batch_id", "from_stage", "to_stage", "changed_by", "changed_at")
SELECT gen_random_uuid(), "id", NULL, 'DISPENSING', "created_by", "created_at"
FROM "production"."batches";
