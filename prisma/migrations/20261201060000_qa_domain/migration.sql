-- The qa subgraph's domain: specifications, test results, deviations and their history, signed
-- release decisions, and its outbox. Generated with `prisma migrate diff`, then extended by hand
-- below the line (see the production domain's migration for how function bodies are written).

-- CreateEnum
CREATE TYPE "qa"."DeviationClassification" AS ENUM ('MINOR', 'MAJOR', 'CRITICAL');

-- CreateEnum
CREATE TYPE "qa"."DeviationStatus" AS ENUM ('OPEN', 'CLOSED');

-- CreateEnum
CREATE TYPE "qa"."ReleaseDecisionKind" AS ENUM ('RELEASED', 'REJECTED');

-- CreateTable
CREATE TABLE "qa"."specifications" (
    "id" UUID NOT NULL,
    "product_code" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "note" TEXT,
    "created_by" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "specifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "qa"."specification_tests" (
    "id" UUID NOT NULL,
    "specification_id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "unit" TEXT,
    "lower_limit" DECIMAL(18,6),
    "upper_limit" DECIMAL(18,6),
    "expected_text" TEXT,
    "position" INTEGER NOT NULL,

    CONSTRAINT "specification_tests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "qa"."test_results" (
    "id" UUID NOT NULL,
    "batch_id" UUID NOT NULL,
    "test_id" UUID NOT NULL,
    "value" TEXT NOT NULL,
    "numeric_value" DECIMAL(18,6),
    "passed" BOOLEAN NOT NULL,
    "analyst_id" UUID NOT NULL,
    "instrument" TEXT NOT NULL,
    "tested_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_by" UUID NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "test_results_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "qa"."deviations" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "batch_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "classification" "qa"."DeviationClassification" NOT NULL,
    "status" "qa"."DeviationStatus" NOT NULL DEFAULT 'OPEN',
    "investigation" TEXT,
    "root_cause" TEXT,
    "capa" TEXT,
    "test_result_id" UUID,
    "opened_by" UUID NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_by" UUID,
    "closed_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "deviations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "qa"."deviation_changes" (
    "id" UUID NOT NULL,
    "deviation_id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "changed_by" UUID NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deviation_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "qa"."release_decisions" (
    "id" UUID NOT NULL,
    "batch_id" UUID NOT NULL,
    "batch_number" TEXT NOT NULL,
    "decision" "qa"."ReleaseDecisionKind" NOT NULL,
    "reason" TEXT,
    "specification_id" UUID,
    "signed_by" UUID NOT NULL,
    "signed_by_name" TEXT NOT NULL,
    "signed_by_email" TEXT NOT NULL,
    "meaning" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "manifest_hash" TEXT NOT NULL,

    CONSTRAINT "release_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "qa"."outbox_events" (
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
CREATE UNIQUE INDEX "specifications_product_code_version_key" ON "qa"."specifications"("product_code", "version");

-- CreateIndex
CREATE UNIQUE INDEX "specification_tests_specification_id_code_key" ON "qa"."specification_tests"("specification_id", "code");

-- CreateIndex
CREATE INDEX "test_results_batch_id_recorded_at_idx" ON "qa"."test_results"("batch_id", "recorded_at");

-- CreateIndex
CREATE UNIQUE INDEX "deviations_number_key" ON "qa"."deviations"("number");

-- CreateIndex
CREATE INDEX "deviations_batch_id_status_idx" ON "qa"."deviations"("batch_id", "status");

-- CreateIndex
CREATE INDEX "deviations_status_opened_at_idx" ON "qa"."deviations"("status", "opened_at");

-- CreateIndex
CREATE INDEX "deviation_changes_deviation_id_changed_at_idx" ON "qa"."deviation_changes"("deviation_id", "changed_at");

-- CreateIndex
CREATE UNIQUE INDEX "release_decisions_batch_id_key" ON "qa"."release_decisions"("batch_id");

-- CreateIndex
CREATE INDEX "release_decisions_signed_at_idx" ON "qa"."release_decisions"("signed_at");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_sequence_key" ON "qa"."outbox_events"("sequence");

-- CreateIndex
CREATE INDEX "outbox_events_batch_id_sequence_idx" ON "qa"."outbox_events"("batch_id", "sequence");

-- AddForeignKey
ALTER TABLE "qa"."specification_tests" ADD CONSTRAINT "specification_tests_specification_id_fkey" FOREIGN KEY ("specification_id") REFERENCES "qa"."specifications"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "qa"."test_results" ADD CONSTRAINT "test_results_test_id_fkey" FOREIGN KEY ("test_id") REFERENCES "qa"."specification_tests"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "qa"."deviations" ADD CONSTRAINT "deviations_test_result_id_fkey" FOREIGN KEY ("test_result_id") REFERENCES "qa"."test_results"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "qa"."deviation_changes" ADD CONSTRAINT "deviation_changes_deviation_id_fkey" FOREIGN KEY ("deviation_id") REFERENCES "qa"."deviations"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;


-- ------------------------------------------------------------------------------------------

-- A test has numeric limits or an expected text, never both, never neither.
ALTER TABLE "qa"."specification_tests" ADD CONSTRAINT "specification_tests_limits_or_text"
  CHECK (("expected_text" IS NULL) = ("lower_limit" IS NOT NULL OR "upper_limit" IS NOT NULL));

-- A deviation is closed exactly when it has a closing time and a closer.
ALTER TABLE "qa"."deviations" ADD CONSTRAINT "deviations_closed_consistently"
  CHECK (("status" = 'CLOSED') = ("closed_at" IS NOT NULL AND "closed_by" IS NOT NULL));

-- GMP records are append-only in the database itself, whatever the client. Statement-level
-- triggers, so that an UPDATE or DELETE is refused even when it matches no row, and TRUNCATE
-- (which skips row triggers) too.
CREATE FUNCTION "qa"."refuse_record_change"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  RAISE EXCEPTION ''qa.% is append-only: % refused'', TG_TABLE_NAME, TG_OP
    USING ERRCODE = ''insufficient_privilege'',
          HINT = ''QA records are GMP records: record a new one instead.''\073
END
';

CREATE TRIGGER "specifications_append_only" BEFORE UPDATE OR DELETE ON "qa"."specifications"
  FOR EACH STATEMENT EXECUTE FUNCTION "qa"."refuse_record_change"();
CREATE TRIGGER "specifications_no_truncate" BEFORE TRUNCATE ON "qa"."specifications"
  FOR EACH STATEMENT EXECUTE FUNCTION "qa"."refuse_record_change"();
CREATE TRIGGER "specification_tests_append_only" BEFORE UPDATE OR DELETE ON "qa"."specification_tests"
  FOR EACH STATEMENT EXECUTE FUNCTION "qa"."refuse_record_change"();
CREATE TRIGGER "specification_tests_no_truncate" BEFORE TRUNCATE ON "qa"."specification_tests"
  FOR EACH STATEMENT EXECUTE FUNCTION "qa"."refuse_record_change"();
CREATE TRIGGER "test_results_append_only" BEFORE UPDATE OR DELETE ON "qa"."test_results"
  FOR EACH STATEMENT EXECUTE FUNCTION "qa"."refuse_record_change"();
CREATE TRIGGER "test_results_no_truncate" BEFORE TRUNCATE ON "qa"."test_results"
  FOR EACH STATEMENT EXECUTE FUNCTION "qa"."refuse_record_change"();
CREATE TRIGGER "deviation_changes_append_only" BEFORE UPDATE OR DELETE ON "qa"."deviation_changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "qa"."refuse_record_change"();
CREATE TRIGGER "deviation_changes_no_truncate" BEFORE TRUNCATE ON "qa"."deviation_changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "qa"."refuse_record_change"();
CREATE TRIGGER "release_decisions_append_only" BEFORE UPDATE OR DELETE ON "qa"."release_decisions"
  FOR EACH STATEMENT EXECUTE FUNCTION "qa"."refuse_record_change"();
CREATE TRIGGER "release_decisions_no_truncate" BEFORE TRUNCATE ON "qa"."release_decisions"
  FOR EACH STATEMENT EXECUTE FUNCTION "qa"."refuse_record_change"();

-- A deviation changes (investigation, closing) but is never deleted: its history refers to it.
CREATE TRIGGER "deviations_no_delete" BEFORE DELETE ON "qa"."deviations"
  FOR EACH STATEMENT EXECUTE FUNCTION "qa"."refuse_record_change"();
CREATE TRIGGER "deviations_no_truncate" BEFORE TRUNCATE ON "qa"."deviations"
  FOR EACH STATEMENT EXECUTE FUNCTION "qa"."refuse_record_change"();

-- The relay reads what waits to be published, in sequence order.
CREATE INDEX "outbox_events_unpublished_idx" ON "qa"."outbox_events"("sequence")
  WHERE "published_at" IS NULL;

-- Wakes the relay (LISTEN qa_outbox) when the inserting transaction commits.
CREATE FUNCTION "qa"."notify_outbox"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_notify(''qa_outbox'', '''')\073
  RETURN NULL\073
END
';

CREATE TRIGGER "outbox_events_notify" AFTER INSERT ON "qa"."outbox_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "qa"."notify_outbox"();
