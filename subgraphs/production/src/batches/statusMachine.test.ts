import { describe, expect, it } from "vitest";
import { BatchStatus } from "../../../../generated/prisma/enums.js";
import { allowedNext, authorizeTransition, isFinal } from "./statusMachine.js";

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
const ALL_SCOPES = ["batches:read", "batches:write", "batches:release"];

const attempt = (from: BatchStatus, to: BatchStatus, scopes = ALL_SCOPES) =>
  authorizeTransition({ batchNumber: "B-1", from, to, scopes, reason: "why", actualQuantity: 1 });

describe("the status machine", () => {
  it.each(STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const)))("%s -> %s is allowed exactly as designed", (from, to) => {
    const scope = LEGAL[`${from}>${to}`];
    if (scope) expect(attempt(from, to).scope).toBe(scope);
    else expect(() => attempt(from, to)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT", field: "status" }) }));
  });

  it("names the allowed next statuses, and none after a final one", () => {
    expect(allowedNext("QA_HOLD")).toEqual(["RELEASED", "REJECTED", "IN_PROGRESS"]);
    expect(STATUSES.filter(isFinal)).toEqual(["COMPLETED", "REJECTED", "CANCELLED"]);
  });

  it("refuses a transition to a caller without its scope, with FORBIDDEN naming it", () => {
    expect(() => attempt("QA_HOLD", "RELEASED", ["batches:read", "batches:write"])).toThrow(
      expect.objectContaining({
        message: "Moving a batch from QA_HOLD to RELEASED requires scope batches:release",
        extensions: { code: "FORBIDDEN", requiredScopes: [["batches:release"]] },
      }),
    );
  });

  it("asks for a reason to reject, cancel or rework, and for the actual quantity to complete", () => {
    const base = { batchNumber: "B-1", scopes: ALL_SCOPES, reason: null, actualQuantity: null };
    for (const [from, to] of [
      ["QA_HOLD", "REJECTED"],
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
