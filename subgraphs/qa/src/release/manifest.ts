import { createHash } from "node:crypto";

/** What a release decision's signer signs (21 CFR Part 11 §11.50, §11.70). */
export interface SignedManifest {
  batchId: string;
  batchNumber: string;
  decision: "RELEASED" | "REJECTED";
  reason: string | null;
  specificationId: string | null;
  signedById: string;
  signedByName: string;
  meaning: string;
  signedAt: string;
}

/**
 * The SHA-256 (hex) of the manifest, its keys in a fixed order: stored with the decision, it
 * binds the signature to exactly what was signed; anyone can compute it again from the record.
 */
export function manifestHash(manifest: SignedManifest): string {
  const { batchId, batchNumber, decision, reason, specificationId, signedById, signedByName, meaning, signedAt } = manifest;
  const canonical = JSON.stringify({ batchId, batchNumber, decision, reason, specificationId, signedById, signedByName, meaning, signedAt });
  return createHash("sha256").update(canonical).digest("hex");
}
