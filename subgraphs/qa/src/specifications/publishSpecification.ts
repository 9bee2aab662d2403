import type { Specification } from "../../../../generated/prisma/client.js";
import type { PublishSpecificationInput } from "../__generated__/resolvers-types.js";
import type { QaContext } from "../context.js";

/** Publishes a new version of a product's specification (to be written). */
export async function publishSpecification(_ctx: QaContext, _input: PublishSpecificationInput): Promise<Specification> {
  throw new Error("publishSpecification: not written yet");
}
