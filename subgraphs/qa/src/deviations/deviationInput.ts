import type { Deviation } from "../../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";
import { checkText, type TextRule } from "#lib/graphql/text.js";
import type { UpdateDeviationInput } from "../__generated__/resolvers-types.js";

/** The investigation's texts: a few paragraphs each. */
export const INVESTIGATION_TEXT: TextRule = { max: 4_000, multiline: true };

/** The fields `updateDeviation` changes. */
export type DeviationUpdate = Partial<Pick<Deviation, "classification" | "investigation" | "rootCause" | "capa">>;

/**
 * The fields an update gives, checked; a field absent or null is not given (it keeps its value,
 * and a text once recorded is never blanked). BAD_USER_INPUT when none is given.
 */
export function updateFields(input: UpdateDeviationInput): DeviationUpdate {
  const fields: DeviationUpdate = {};
  if (input.classification != null) fields.classification = input.classification;
  if (input.investigation != null) fields.investigation = checkText("investigation", input.investigation, INVESTIGATION_TEXT);
  if (input.rootCause != null) fields.rootCause = checkText("rootCause", input.rootCause, INVESTIGATION_TEXT);
  if (input.capa != null) fields.capa = checkText("capa", input.capa, INVESTIGATION_TEXT);
  if (Object.keys(fields).length === 0) {
    throw apiError("BAD_USER_INPUT", "Nothing to change: give a classification, investigation, rootCause or capa", { field: "input" });
  }
  return fields;
}
