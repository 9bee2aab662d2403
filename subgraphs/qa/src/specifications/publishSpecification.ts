import { Prisma, type Specification } from "../../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";
import { TRANSACTION_OPTIONS } from "#lib/prisma.js";
import type { PublishSpecificationInput } from "../__generated__/resolvers-types.js";
import { callerId } from "../caller.js";
import type { QaContext } from "../context.js";
import { checkSpecification, type CheckedSpecification } from "./specificationInput.js";

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";

/** Writes the next version of the product's specification, with its tests, in one transaction. */
function insertNextVersion(ctx: QaContext, spec: CheckedSpecification, createdById: string): Promise<Specification> {
  return ctx.prisma.$transaction(async (tx) => {
    const latest = await tx.specification.findFirst({ where: { productCode: spec.productCode }, orderBy: { version: "desc" }, select: { version: true } });
    return tx.specification.create({
      data: {
        productCode: spec.productCode,
        version: (latest?.version ?? 0) + 1,
        note: spec.note,
        createdById,
        tests: { create: spec.tests },
      },
    });
  }, TRANSACTION_OPTIONS);
}

/**
 * Publishes the next version of a product's specification (1 for the first). A published
 * version never changes (the database refuses it); results already recorded keep the version
 * they were judged against, and results from now on are judged against this one. Two publishes
 * of one product at once would both take the same number: the unique (product, version) index
 * refuses the second, which is tried once more and then refused with CONFLICT.
 */
export async function publishSpecification(ctx: QaContext, input: PublishSpecificationInput): Promise<Specification> {
  const spec = checkSpecification(input);
  const createdById = callerId(ctx);
  let created: Specification;
  try {
    created = await insertNextVersion(ctx, spec, createdById).catch((err: unknown) => {
      if (isUniqueViolation(err)) return insertNextVersion(ctx, spec, createdById);
      throw err;
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw apiError("CONFLICT", `Another version of the specification of ${spec.productCode} was just published; try again`, { field: "productCode" });
    }
    throw err;
  }
  ctx.logger.info(
    { productCode: created.productCode, version: created.version, specificationId: created.id, tests: spec.tests.length },
    "specification published",
  );
  return created;
}
