import { describe, expect, it } from "vitest";
import type { Deviation, Specification, SpecificationTest, TestResult } from "../../../../generated/prisma/client.js";
import { manifestHash } from "./manifest.js";
import { assessReadiness } from "./readiness.js";

const spec = { id: "spec-2", productCode: "PARA-500", version: 2 } as Specification;
const test = (id: string, code: string, name: string) => ({ id, code, name, specificationId: spec.id }) as SpecificationTest;
const tests = [test("t-assay", "ASSAY", "Assay"), test("t-diss", "DISSOLUTION", "Dissolution")];
const result = (testId: string, passed: boolean) => ({ testId, passed }) as TestResult;
const deviation = (number: number, status: "OPEN" | "CLOSED") => ({ number, status }) as Deviation;

describe("assessReadiness", () => {
  it("is ready in QA_HOLD with a passing latest result of every test and no open deviation", () => {
    const readiness = assessReadiness({
      status: "QA_HOLD",
      specification: spec,
      tests,
      results: [result("t-assay", false), result("t-assay", true), result("t-diss", true)],
      deviations: [deviation(1, "CLOSED")],
    });
    expect(readiness).toEqual({ ready: true, specification: spec, missingTests: [], failedTests: [], openDeviations: [], blockers: [] });
  });

  it("names every blocker: the status, missing and failed tests, open deviations", () => {
    const readiness = assessReadiness({
      status: "IN_PROGRESS",
      specification: spec,
      tests,
      // The latest result counts: a pass followed by a failure is a failure.
      results: [result("t-assay", true), result("t-assay", false)],
      deviations: [deviation(7, "OPEN"), deviation(8, "CLOSED")],
    });
    expect(readiness.ready).toBe(false);
    expect(readiness.blockers).toEqual([
      "the batch is IN_PROGRESS, not QA_HOLD",
      "no result for Dissolution (DISSOLUTION)",
      "failed: Assay (ASSAY)",
      "open deviations: DEV-7",
    ]);
  });

  it("counts no result recorded against another specification version", () => {
    const readiness = assessReadiness({ status: "QA_HOLD", specification: spec, tests, results: [result("t-assay-v1", true)], deviations: [] });
    expect(readiness.missingTests.map((t) => t.code)).toEqual(["ASSAY", "DISSOLUTION"]);
  });

  it("is never ready for a product without a specification", () => {
    const readiness = assessReadiness({ status: "QA_HOLD", specification: null, tests: [], results: [], deviations: [] });
    expect(readiness).toMatchObject({ ready: false, blockers: ["its product has no specification"] });
  });
});

describe("manifestHash", () => {
  const manifest = {
    batchId: "b1",
    batchNumber: "B-1",
    decision: "RELEASED" as const,
    reason: null,
    specificationId: "spec-2",
    signedById: "u1",
    signedByName: "Quinn QA",
    meaning: "approved for release",
    signedAt: "2026-12-01T08:00:00.000Z",
  };

  it("is the SHA-256 of the manifest, whatever the order its fields were given in", () => {
    const reordered = Object.fromEntries(Object.entries(manifest).reverse()) as typeof manifest;
    expect(manifestHash(manifest)).toMatch(/^[0-9a-f]{64}$/);
    expect(manifestHash(reordered)).toBe(manifestHash(manifest));
  });

  it("changes with any signed field", () => {
    expect(manifestHash({ ...manifest, meaning: "reviewed" })).not.toBe(manifestHash(manifest));
    expect(manifestHash({ ...manifest, signedAt: "2026-12-01T08:00:01.000Z" })).not.toBe(manifestHash(manifest));
  });
});
