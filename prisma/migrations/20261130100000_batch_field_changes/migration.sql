-- Change history of batch master data: every field updateBatch changes, who, when, the values
-- before and after and the reason. Generated with `prisma migrate diff`, then extended by hand
-- below the line.

-- CreateTable
CREATE TABLE "production"."batch_field_changes" (
    "id" UUID NOT NULL,
    "batch_id" UUID NOT NULL,
    "field" TEXT NOT NULL,
    "old_value" TEXT,
    "new_value" TEXT,
    "reason" TEXT,
    "changed_by" UUID NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "batch_field_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "batch_field_changes_batch_id_changed_at_idx" ON "production"."batch_field_changes"("batch_id", "changed_at");

-- AddForeignKey
ALTER TABLE "production"."batch_field_changes" ADD CONSTRAINT "batch_field_changes_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "production"."batches"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- ------------------------------------------------------------------ written by hand
-- Prisma's driver adapter splits a migration at every semicolon, even inside function bodies
-- and comments: the body below is an E'' string where \073 stands for the semicolons
-- PL/pgSQL needs, and no comment holds one.

-- Append-only, like the status audit trail: statement-level triggers refuse UPDATE and DELETE
-- (even when they match no row) and TRUNCATE. A GMP record of a change is never edited or lost.
-- One function for every append-only record from now on: it names the table it guards.
CREATE FUNCTION "production"."refuse_record_change"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  RAISE EXCEPTION ''%.% is append-only: % refused'', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
    USING ERRCODE = ''insufficient_privilege'',
          HINT = ''It holds GMP records: record a new entry instead.''\073
END
';

CREATE TRIGGER "batch_field_changes_append_only"
  BEFORE UPDATE OR DELETE ON "production"."batch_field_changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "production"."refuse_record_change"();

CREATE TRIGGER "batch_field_changes_no_truncate"
  BEFORE TRUNCATE ON "production"."batch_field_changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "production"."refuse_record_change"();
