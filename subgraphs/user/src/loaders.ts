import DataLoader from "dataloader";
import type { User } from "../../../generated/prisma/client.js";
import type { PrismaClient } from "../../../lib/prisma.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can be a user id at all; PostgreSQL refuses anything else as a `uuid`. */
export const isUuid = (id: string): boolean => UUID.test(id);

/** The DataLoaders of one request. */
export interface UserLoaders {
  /** Users by id, `null` when there is none (or the id is not a UUID). */
  userById: DataLoader<string, User | null>;
}

/**
 * Loaders for one request. Every lookup by id in a tick (`__resolveReference`, `user`, `me`)
 * becomes one `WHERE id IN (...)` statement.
 */
export function createUserLoaders(prisma: PrismaClient): UserLoaders {
  return {
    userById: new DataLoader(async (ids) => {
      // A malformed id is simply not found: sending it would make PostgreSQL fail the batch.
      const valid = ids.filter(isUuid).map((id) => id.toLowerCase());
      const users = valid.length > 0 ? await prisma.user.findMany({ where: { id: { in: valid } } }) : [];
      const byId = new Map(users.map((user) => [user.id, user]));
      return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
    }),
  };
}
