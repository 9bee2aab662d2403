import { randomUUID } from "node:crypto";
import { afterAll, expect, inject, it } from "vitest";
import { createPrismaClient } from "#lib/prisma.js";
import { listBatches } from "../src/batches/batchList.js";
import { createProductionLoaders } from "../src/batches/loaders.js";

const prisma = createPrismaClient(inject("databaseUrl"));

afterAll(async () => {
  await prisma.$disconnect();
});

// The list and the loader read raw SQL for speed: what they return must stay what Prisma's
// `Batch` is, a column added to the model included.
it("reads batches, in a page and by id, as Prisma's model reads them, every field", async () => {
  const code = `R-${randomUUID().slice(0, 8)}`;
  const created = await prisma.batch.create({
    data: {
      batchNumber: `${code}-1`,
      productCode: code,
      productName: "Raw read test",
      plannedQuantity: "1234.5",
      actualQuantity: "1200.25",
      unit: "kg",
      createdById: randomUUID(),
    },
  });
  const expected = await prisma.batch.findUnique({ where: { id: created.id } });
  const page = await listBatches(prisma, { filter: { product: code }, first: 5 }, true);
  expect(page.nodes).toEqual([expected]);
  expect(page.totalCount).toBe(1);
  expect(await createProductionLoaders(prisma).batchById.load(created.id)).toEqual(expected);
});
