-- The QA decision a status change applied (the QA service's `decisionId`): null for every
-- other change. Unique, so that a decision delivered again (at-least-once delivery, or two
-- copies at once) can never be written twice. Adding a column is no UPDATE of the audit
-- trail: the append-only triggers stay as they are.

-- AlterTable
ALTER TABLE "production"."batch_status_changes" ADD COLUMN     "qa_decision_id" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "batch_status_changes_qa_decision_id_key" ON "production"."batch_status_changes"("qa_decision_id");
