import type { TestResult } from "../../../../generated/prisma/client.js";
import type { RecordTestResultInput } from "../__generated__/resolvers-types.js";
import type { QaContext } from "../context.js";

/** Records a test result of a batch (to be written). */
export async function recordTestResult(_ctx: QaContext, _input: RecordTestResultInput): Promise<TestResult> {
  throw new Error("recordTestResult: not written yet");
}
