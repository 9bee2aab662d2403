-- Production domain: batches, the GMP audit trail of their status changes and the event
-- outbox. Generated with `prisma migrate diff`, then extended by hand below the line.

-- CreateEnum
CREATE TYPE "production"."BatchStatus" AS ENUM ('PLANNED', 'IN_PROGRESS', 'QA_HOLD', 'RELEASED', 'COMPLETED', 'REJECTED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "production"."BatchStage" AS ENUM ('DISPENSING', 'GRANULATION', 'BLENDING', 'COMPRESSION', 'COATING', 'PACKAGING');

-- CreateTable
CREATE TABLE "production"."batches" (
    "id" UUID NOT NULL,
    "batch_number" TEXT NOT NULL,
    "product_code" TEXT NOT NULL,
    "product_name" TEXT NOT NULL,
    "planned_quantity" DECIMAL(14,3) NOT NULL,
    "actual_quantity" DECIMAL(14,3),
    "unit" TEXT NOT NULL,
    "status" "production"."BatchStatus" NOT NULL DEFAULT 'PLANNED',
    "stage" "production"."BatchStage" NOT NULL DEFAULT 'DISPENSING',
    "created_by" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "production"."batch_status_changes" (
    "id" UUID NOT NULL,
    "batch_id" UUID NOT NULL,
    "from_status" "production"."BatchStatus",
    "to_status" "production"."BatchStatus" NOT NULL,
    "reason" TEXT,
    "changed_by" UUID NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "batch_status_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "production"."outbox_events" (
    "id" UUID NOT NULL,
    "sequence" BIGSERIAL NOT NULL,
    "batch_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "envelope" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "batches_batch_number_key" ON "production"."batches"("batch_number");

-- CreateIndex
CREATE INDEX "batches_status_idx" ON "production"."batches"("status");

-- CreateIndex
CREATE INDEX "batches_product_code_idx" ON "production"."batches"("product_code");

-- CreateIndex
CREATE INDEX "batches_created_at_id_idx" ON "production"."batches"("created_at", "id");

-- CreateIndex
CREATE INDEX "batch_status_changes_batch_id_changed_at_idx" ON "production"."batch_status_changes"("batch_id", "changed_at");

-- CreateIndex
CREATE INDEX "batch_status_changes_to_status_changed_at_idx" ON "production"."batch_status_changes"("to_status", "changed_at");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_sequence_key" ON "production"."outbox_events"("sequence");

-- CreateIndex
CREATE INDEX "outbox_events_batch_id_sequence_idx" ON "production"."outbox_events"("batch_id", "sequence");

-- AddForeignKey
ALTER TABLE "production"."batch_status_changes" ADD CONSTRAINT "batch_status_changes_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "production"."batches"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- ------------------------------------------------------------------ written by hand
-- Prisma's driver adapter runs a migration by splitting it at every semicolon, even inside
-- function bodies and comments: the bodies below are E'' strings where \073 stands for the
-- semicolons PL/pgSQL needs, and no comment holds one.

-- The audit trail is append-only in the database itself, whatever the client: a GMP record
-- is never edited or lost. Statement-level triggers, so that an UPDATE or DELETE is refused
-- even when it matches no row, and TRUNCATE (which skips row triggers) too.
CREATE FUNCTION "production"."refuse_audit_change"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  RAISE EXCEPTION ''production.batch_status_changes is append-only: % refused'', TG_OP
    USING ERRCODE = ''insufficient_privilege'',
          HINT = ''Status changes are GMP records: record a new change instead.''\073
END
';

CREATE TRIGGER "batch_status_changes_append_only"
  BEFORE UPDATE OR DELETE ON "production"."batch_status_changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "production"."refuse_audit_change"();

CREATE TRIGGER "batch_status_changes_no_truncate"
  BEFORE TRUNCATE ON "production"."batch_status_changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "production"."refuse_audit_change"();

-- The relay reads what waits to be published, in sequence order. Published rows are kept
-- (they are the event log), so only the waiting ones are indexed.
CREATE INDEX "outbox_events_unpublished_idx" ON "production"."outbox_events"("sequence")
  WHERE "published_at" IS NULL;

-- Wakes the relay (LISTEN production_outbox) when the inserting transaction commits. The
-- relay also polls, so a lost notification only delays an event.
CREATE FUNCTION "production"."notify_outbox"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_notify(''production_outbox'', '''')\073
  RETURN NULL\073
END
';

CREATE TRIGGER "outbox_events_notify"
  AFTER INSERT ON "production"."outbox_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "production"."notify_outbox"();
