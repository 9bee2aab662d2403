import type { Prisma } from "../../../../generated/prisma/client.js";

/**
 * actual / planned, or null when there is no figure: no actual quantity yet, or a planned
 * quantity of 0. New batches cannot be planned at 0, but rows written before that check may
 * be (0.0004 was rounded to 0), and they are completed, unchangeable GMP records: their yield
 * is unknown, never a division by zero.
 */
export function yieldOf(actual: Prisma.Decimal | number | null, planned: Prisma.Decimal | number): number | null {
  if (actual === null) return null;
  const p = Number(planned);
  return p > 0 ? Number(actual) / p : null;
}
