import type { Deviation, Prisma } from "../../../../generated/prisma/client.js";

/** What a history entry says happened. */
export type DeviationAction = "OPENED" | "UPDATED" | "CLOSED";

/** The fields a history entry follows, as text. */
export const TRACKED_FIELDS = ["title", "description", "classification", "status", "investigation", "rootCause", "capa"] as const;

type Tracked = Pick<Deviation, (typeof TRACKED_FIELDS)[number]>;

/** `{ field: { from, to } }` for each tracked field whose value differs between `before` and `after` (before null: every set field). */
export function fieldChanges(before: Partial<Tracked> | null, after: Partial<Tracked>): Record<string, { from: string | null; to: string | null }> {
  const changes: Record<string, { from: string | null; to: string | null }> = {};
  for (const field of TRACKED_FIELDS) {
    if (!(field in after)) continue;
    const from = before?.[field] ?? null;
    const to = after[field] ?? null;
    if (from !== to) changes[field] = { from, to };
  }
  return changes;
}

/** Appends one entry to a deviation's history, in the caller's transaction. */
export async function appendDeviationChange(
  tx: Prisma.TransactionClient,
  entry: { deviationId: string; action: DeviationAction; changes: ReturnType<typeof fieldChanges>; changedById: string; changedAt?: Date },
): Promise<void> {
  await tx.deviationChange.create({ data: { ...entry, changes: entry.changes as Prisma.InputJsonValue } });
}

/** A deviation's number as people say it. */
export const deviationNumber = (number: number) => `DEV-${number}`;
