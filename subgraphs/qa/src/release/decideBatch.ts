import { Prisma, type ReleaseDecision, type ReleaseDecisionKind } from "../../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";
import { checkText } from "#lib/graphql/text.js";
import { TRANSACTION_OPTIONS } from "#lib/prisma.js";
import type { SignatureInput } from "../__generated__/resolvers-types.js";
import { lockBatch } from "../batches/batchLock.js";
import type { QaContext } from "../context.js";
import { QA_EVENT_TYPES, qaEnvelope, writeQaEvents } from "../events/qaEvents.js";
import { readReadiness } from "./batchReadiness.js";
import { manifestHash } from "./manifest.js";
import type { Readiness } from "./readiness.js";

/** A decision asked for: release (no reason) or rejection (with one), signed. */
export interface DecisionRequest {
  batchId: string;
  decision: ReleaseDecisionKind;
  reason: string | null;
  signature: SignatureInput;
}

/** Longest signature meaning and rejection reason accepted. */
const MAX_MEANING = 200;
const MAX_REASON = 2_000;

const notReady = (batchNumber: string, readiness: Readiness) =>
  apiError("CONFLICT", `Batch ${batchNumber} cannot be released: ${readiness.blockers.join("; ")}`, {
    missingTests: readiness.missingTests.map((test) => test.code),
    failedTests: readiness.failedTests.map((test) => test.code),
    openDeviations: readiness.openDeviations.map((deviation) => `DEV-${deviation.number}`),
  });

const alreadyDecided = (batchNumber: string, decision: ReleaseDecision) =>
  apiError(
    "CONFLICT",
    `Batch ${batchNumber} was already ${decision.decision} by ${decision.signedByName} at ${decision.signedAt.toISOString()}; a decision is final`,
    {
      decisionId: decision.id,
    },
  );

/**
 * Releases or rejects a batch in QA_HOLD with an electronic signature (21 CFR Part 11):
 * 1. the inputs, the batch's status in production and, for a release, its readiness are checked
 *    before any password is asked for, so a refusal costs the signer no failed attempt;
 * 2. auth confirms the caller's re-entered password (refusals and the throttle are auth's);
 * 3. in one transaction holding the batch's lock, readiness is checked again (nothing slipped
 *    in since), the signed record is written, bound to what was signed by its manifest hash,
 *    and `qa.batch.released` / `qa.batch.rejected` goes to the outbox. One decision per batch.
 * The production subgraph moves the batch when the event reaches it, exactly once.
 */
export async function decideBatch(ctx: QaContext, { batchId, decision, reason, signature }: DecisionRequest): Promise<ReleaseDecision> {
  const meaning = checkText("meaning", signature.meaning, { max: MAX_MEANING });
  const why = decision === "REJECTED" ? checkText("reason", reason ?? "", { max: MAX_REASON, multiline: true }) : null;
  if (signature.password.length === 0) throw apiError("BAD_USER_INPUT", "password must not be empty: re-enter it to sign", { field: "password" });
  const batch = await ctx.batches.require(batchId, ["QA_HOLD"], decision === "RELEASED" ? "a release" : "a rejection");
  const earlier = await ctx.loaders.decisionByBatch.load(batch.id);
  if (earlier) throw alreadyDecided(batch.batchNumber, earlier);
  if (decision === "RELEASED") {
    const readiness = await readReadiness(ctx.prisma, batch);
    if (!readiness.ready) throw notReady(batch.batchNumber, readiness);
  }

  const signer = await ctx.signatures.confirm(signature.password);
  const signedAt = signer.confirmedAt;
  try {
    const row = await ctx.prisma.$transaction(async (tx) => {
      await lockBatch(tx, batch.id);
      const readiness = await readReadiness(tx, batch);
      if (decision === "RELEASED" && !readiness.ready) throw notReady(batch.batchNumber, readiness);
      const manifest = {
        batchId: batch.id,
        batchNumber: batch.batchNumber,
        decision,
        reason: why,
        specificationId: readiness.specification?.id ?? null,
        signedById: signer.userId,
        signedByName: signer.name,
        meaning,
        signedAt: signedAt.toISOString(),
      };
      const created = await tx.releaseDecision.create({
        data: { ...manifest, signedByEmail: signer.email, signedAt, manifestHash: manifestHash(manifest) },
      });
      const data = {
        decision_id: created.id,
        batch_id: created.batchId,
        batch_number: created.batchNumber,
        decision: created.decision,
        reason: created.reason,
        specification_id: created.specificationId,
        signed_by: created.signedById,
        signed_by_name: created.signedByName,
        meaning: created.meaning,
        signed_at: created.signedAt.toISOString(),
        manifest_hash: created.manifestHash,
      };
      const type = decision === "RELEASED" ? QA_EVENT_TYPES.batchReleased : QA_EVENT_TYPES.batchRejected;
      await writeQaEvents(tx, created.batchId, [qaEnvelope(type, data, ctx, signedAt)]);
      return created;
    }, TRANSACTION_OPTIONS);
    ctx.logger.info({ batchId: row.batchId, decisionId: row.id, decision: row.decision, signedBy: row.signedById }, "release decision signed");
    return row;
  } catch (err) {
    // Another decision committed between the check and the insert: the unique batch id refuses the second.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      const winner = await ctx.prisma.releaseDecision.findUnique({ where: { batchId: batch.id } });
      if (winner) throw alreadyDecided(batch.batchNumber, winner);
    }
    throw err;
  }
}
