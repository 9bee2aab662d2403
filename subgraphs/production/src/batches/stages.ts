import type { BatchStage } from "../../../../generated/prisma/enums.js";

/** The manufacturing stages in order (the SDL and the database enum list them in that order too). */
export const STAGES: readonly BatchStage[] = ["DISPENSING", "GRANULATION", "BLENDING", "COMPRESSION", "COATING", "PACKAGING"];

/** The stage after `stage`, or undefined at the last one. */
export function nextStage(stage: BatchStage): BatchStage | undefined {
  return STAGES[STAGES.indexOf(stage) + 1];
}
