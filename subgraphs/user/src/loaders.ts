import type DataLoader from "dataloader";
import { Prisma, type User } from "../../../generated/prisma/client.js";
import { byIdLoader } from "#lib/graphql/ids.js";
import type { PrismaClient } from "#lib/prisma.js";

/** The DataLoaders of one request. */
export interface UserLoaders {
  /** Users by id, `null` when there is none (or the id is not a UUID). */
  userById: DataLoader<string, User | null>;
}

/**
 * The columns of `users.users` under the names of Prisma's `User` (roles as a text array, which
 * the driver reads as an array; the enum array would come back as its literal, `{VIEWER}`).
 */
const USER_COLUMNS = Prisma.sql`
  id, email, name, roles::text[] AS roles, department, active, created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * Loaders for one request. Every lookup by id in a tick (`__resolveReference`, `user`, `me`)
 * becomes one statement, `WHERE id = ANY(...)`. It is Prisma's raw SQL, not `findMany`: every
 * page of batches resolves its creators here, and the client engine compiles a `findMany` anew
 * on each call (0.40 → 0.13 ms of CPU for 8 users, measured alone).
 */
export function createUserLoaders(prisma: PrismaClient): UserLoaders {
  return {
    userById: byIdLoader((ids) => prisma.$queryRaw<User[]>`SELECT ${USER_COLUMNS} FROM users.users WHERE id = ANY(${ids}::uuid[])`),
  };
}
