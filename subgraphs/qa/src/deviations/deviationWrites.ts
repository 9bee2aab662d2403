import type { Deviation } from "../../../../generated/prisma/client.js";
import type { CloseDeviationInput, OpenDeviationInput, UpdateDeviationInput } from "../__generated__/resolvers-types.js";
import type { QaContext } from "../context.js";

/** Opens a deviation on a batch (to be written, on `openDeviationTx`). */
export async function openDeviation(_ctx: QaContext, _input: OpenDeviationInput): Promise<Deviation> {
  throw new Error("openDeviation: not written yet");
}

/** Records the investigation of an open deviation (to be written). */
export async function updateDeviation(_ctx: QaContext, _id: string, _input: UpdateDeviationInput): Promise<Deviation> {
  throw new Error("updateDeviation: not written yet");
}

/** Closes a deviation (to be written). */
export async function closeDeviation(_ctx: QaContext, _id: string, _input: CloseDeviationInput): Promise<Deviation> {
  throw new Error("closeDeviation: not written yet");
}
