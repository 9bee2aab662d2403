import type DataLoader from "dataloader";
import type { User } from "../../../generated/prisma/client.js";
import { byIdLoader } from "#lib/graphql/ids.js";
import type { PrismaClient } from "#lib/prisma.js";

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
    userById: byIdLoader((ids) => prisma.user.findMany({ where: { id: { in: ids } } })),
  };
}
