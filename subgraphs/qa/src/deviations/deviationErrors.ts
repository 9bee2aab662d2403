import type { Deviation } from "../../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";
import { deviationNumber } from "./deviationHistory.js";

/** NOT_FOUND for an id that names no deviation (a malformed one included). */
export const deviationNotFound = (id: string) => apiError("NOT_FOUND", `No deviation with id ${id}`, { field: "id" });

/** CONFLICT for any change to a closed deviation: closing is final. */
export const deviationClosed = (deviation: Pick<Deviation, "number">) =>
  apiError("CONFLICT", `${deviationNumber(deviation.number)} is closed: a closed deviation does not change`, { status: "CLOSED" });

/**
 * CONFLICT for a change made against a version that is no longer the deviation's: the message
 * and `extensions.currentVersion` give the current one, to read it again and retry.
 */
export const staleDeviation = (deviation: Pick<Deviation, "number" | "version">, given: number) =>
  apiError("CONFLICT", `${deviationNumber(deviation.number)} changed since version ${given} (now ${deviation.version}): read it again`, {
    currentVersion: deviation.version,
  });

/** BAD_USER_INPUT for closing without a root cause or a CAPA; `field` names the first one missing. */
export const closingIncomplete = (deviation: Pick<Deviation, "number">, field: "rootCause" | "capa") =>
  apiError("BAD_USER_INPUT", `${deviationNumber(deviation.number)} needs a root cause and a CAPA before it is closed`, { field });
