import type { BatchStatus, Deviation, Specification, SpecificationTest, TestResult } from "../../../../generated/prisma/client.js";

/** What still stands between a batch and its release (`QaReadiness` in the SDL). */
export interface Readiness {
  ready: boolean;
  specification: Specification | null;
  missingTests: SpecificationTest[];
  failedTests: SpecificationTest[];
  openDeviations: Deviation[];
  /** Each reason in words, empty when ready. */
  blockers: string[];
}

/** What a readiness check looks at. */
export interface ReadinessInput {
  status: BatchStatus;
  /** The version in force for the batch's product, and its tests; null when it has none. */
  specification: Specification | null;
  tests: readonly SpecificationTest[];
  /** Every result of the batch, any version, oldest first. */
  results: readonly TestResult[];
  deviations: readonly Deviation[];
}

const testName = (test: SpecificationTest) => `${test.name} (${test.code})`;

/**
 * Whether a batch may be released: it is in QA_HOLD, its product has a specification, every
 * test of the version in force has a result against that version whose latest one passed, and
 * no deviation is open. A result against an older version counts for nothing here: it keeps
 * the verdict it had, and the new version's test needs its own result.
 */
export function assessReadiness({ status, specification, tests, results, deviations }: ReadinessInput): Readiness {
  const latest = new Map<string, TestResult>();
  for (const result of results) latest.set(result.testId, result);
  const missingTests = tests.filter((test) => !latest.has(test.id));
  const failedTests = tests.filter((test) => latest.get(test.id)?.passed === false);
  const openDeviations = deviations.filter((deviation) => deviation.status === "OPEN");
  const blockers = [
    ...(status === "QA_HOLD" ? [] : [`the batch is ${status}, not QA_HOLD`]),
    ...(specification ? [] : ["its product has no specification"]),
    ...(missingTests.length > 0 ? [`no result for ${missingTests.map(testName).join(", ")}`] : []),
    ...(failedTests.length > 0 ? [`failed: ${failedTests.map(testName).join(", ")}`] : []),
    ...(openDeviations.length > 0 ? [`open deviations: ${openDeviations.map((d) => `DEV-${d.number}`).join(", ")}`] : []),
  ];
  return { ready: blockers.length === 0, specification, missingTests, failedTests, openDeviations, blockers };
}
