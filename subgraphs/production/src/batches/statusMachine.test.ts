import { describe, expect, it } from "vitest";
import { BatchStatus } from "../../../../generated/prisma/enums.js";
import { allowedNext, authorizeTransition, isFinal, qaDecisionTransition } from "./statusMachine.js";

const STATUSES = Object.values(BatchStatus);
// DESIGN.md, "Production domain", written out again: the table in the code must match it.
const LEGAL: Record<string, string> = {
  "PLANNED>IN_PROGRESS": "batches:write",
  "IN_PROGRESS>QA_HOLD": "batches:write",
  "QA_HOLD>RELEASED": "batches:release",
  "RELEASED>COMPLETED": "batches:write",
  "QA_HOLD>IN_PROGRESS": "batches:release",
  "QA_HOLD>REJECTED": "batches:release",
  "PLANNED>CANCELLED": "batches:write",
};
// Made only by a signed QA decision, applied from the QA service's events.
const QA_DECISIONS: Record<string, string> = { "QA_HOLD>RELEASED": "releaseBatch", "QA_HOLD>REJECTED": "rejectBatch" };
const ALL_SCOPES = ["batches:read", "batches:write", "batches:release"];

const attempt = (from: BatchStatus, to: BatchStatus, scopes = ALL_SCOPES) =>
  authorizeTransition({ batchNumber: "B-1", from, to, scopes, reason: "why", actualQuantity: 1 });

describe("the status machine", () => {
  it.each(STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const)))("%s -> %s is allowed exactly as designed", (from, to) => {
    const scope = LEGAL[`${from}>${to}`];
    const qaMutation = QA_DECISIONS[`${from}>${to}`];
    if (qaMutation) {
      expect(() => attempt(from, to)).toThrow(expect.objectContaining({ extensions: { code: "BAD_USER_INPUT", field: "status", qaMutation } }));
      expect(qaDecisionTransition(from, to)?.scope).toBe(scope);
    } else if (scope) expect(attempt(from, to).scope).toBe(scope);
    else expect(() => attempt(from, to)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT", field: "status" }) }));
  });

  it("names the allowed next statuses, and none after a final one", () => {
    expect(allowedNext("QA_HOLD")).toEqual(["RELEASED", "REJECTED", "IN_PROGRESS"]);
    expect(STATUSES.filter(isFinal)).toEqual(["COMPLETED", "REJECTED", "CANCELLED"]);
  });

  it("lets only QA decisions release or reject, naming the QA service's mutations to everyone, QA included", () => {
    const message = "Batch B-1 is released or rejected through the QA service: use releaseBatch(batchId, signature) or rejectBatch(batchId, reason, signature)";
    for (const scopes of [ALL_SCOPES, ["batches:read", "batches:release"], ["batches:read", "batches:write"]]) {
      expect(() => attempt("QA_HOLD", "RELEASED", scopes)).toThrow(
        expect.objectContaining({ message, extensions: { code: "BAD_USER_INPUT", field: "status", qaMutation: "releaseBatch" } }),
      );
      expect(() => attempt("QA_HOLD", "REJECTED", scopes)).toThrow(
        expect.objectContaining({ message, extensions: { code: "BAD_USER_INPUT", field: "status", qaMutation: "rejectBatch" } }),
      );
    }
    const decisions = STATUSES.flatMap((from) => STATUSES.filter((to) => qaDecisionTransition(from, to)).map((to) => `${from}>${to}`));
    expect(decisions).toEqual(["QA_HOLD>RELEASED", "QA_HOLD>REJECTED"]);
  });

  it("refuses a transition to a caller without its scope, with FORBIDDEN naming it", () => {
    expect(() => attempt("QA_HOLD", "IN_PROGRESS", ["batches:read", "batches:write"])).toThrow(
      expect.objectContaining({
        message: "Moving a batch from QA_HOLD to IN_PROGRESS requires scope batches:release",
        extensions: { code: "FORBIDDEN", requiredScopes: [["batches:release"]] },
      }),
    );
  });

  it("asks for a reason to reject, cancel or rework, and for the actual quantity to complete", () => {
    const base = { batchNumber: "B-1", scopes: ALL_SCOPES, reason: null, actualQuantity: null };
    for (const [from, to] of [
      ["QA_HOLD", "IN_PROGRESS"],
      ["PLANNED", "CANCELLED"],
    ] as const) {
      expect(() => authorizeTransition({ ...base, from, to })).toThrow(expect.objectContaining({ extensions: { code: "BAD_USER_INPUT", field: "reason" } }));
    }
    expect(() => authorizeTransition({ ...base, from: "RELEASED", to: "COMPLETED" })).toThrow(
      expect.objectContaining({ extensions: { code: "BAD_USER_INPUT", field: "actualQuantity" } }),
    );
    expect(authorizeTransition({ ...base, from: "RELEASED", to: "COMPLETED", actualQuantity: 0 }).to).toBe("COMPLETED");
  });
});
