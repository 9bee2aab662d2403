import { Prisma, type User } from "../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";
import type { UserContext } from "./context.js";
import type { UserFields } from "./userInput.js";

type Writable = Partial<UserFields> & { active?: boolean };

/** Runs a write and turns a unique violation on `email` into CONFLICT naming the address. */
async function uniqueEmail<T>(email: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw apiError("CONFLICT", `A user with email ${email} already exists`, { field: "email" });
    }
    throw err;
  }
}

/** Inserts a user; CONFLICT when the email is taken. */
export function insertUser(ctx: UserContext, fields: UserFields & { active: boolean }): Promise<User> {
  return uniqueEmail(fields.email, () => ctx.prisma.user.create({ data: fields }));
}

/** The refusal of a change that would leave nobody to administer users. */
const lastAdmin = () => apiError("CONFLICT", "This would leave no active administrator; make another user ADMIN first");

/** Whether writing `fields` takes an administrator away from `user`: deactivated, or without the ADMIN role. */
const takesAdminAway = (fields: Writable) => fields.active === false || (fields.roles !== undefined && !fields.roles.includes("ADMIN"));

/**
 * Refuses (CONFLICT), before anything else happens, a change that would take away the last
 * active administrator. A first look, without locks, so that a refused change signs nobody
 * out; {@link writeUser} decides again under locks.
 */
export async function assertAdminRemains(ctx: UserContext, user: User, fields: Writable): Promise<void> {
  if (!(user.active && user.roles.includes("ADMIN") && takesAdminAway(fields))) return;
  const others = await ctx.prisma.user.count({ where: { active: true, roles: { has: "ADMIN" }, id: { not: user.id } } });
  if (others === 0) throw lastAdmin();
}

/**
 * Writes some columns of an existing user; CONFLICT when the new email is taken, or when the
 * change would leave no active administrator. That check locks every active administrator's row
 * (`FOR UPDATE`, in id order so that two such changes cannot deadlock) in the transaction of
 * the write: of two administrators demoting each other at once, the second waits for the
 * first, then sees it was the last one left and is refused.
 */
export async function writeUser(ctx: UserContext, id: string, fields: Writable): Promise<User> {
  const write = () =>
    takesAdminAway(fields)
      ? ctx.prisma.$transaction(async (tx) => {
          const admins = await tx.$queryRaw<Array<{ id: string }>>`
            SELECT id::text AS id FROM users.users WHERE active AND 'ADMIN' = ANY(roles) ORDER BY id FOR UPDATE`;
          if (admins.length === 1 && admins[0]!.id === id) throw lastAdmin();
          return tx.user.update({ where: { id }, data: fields });
        })
      : ctx.prisma.user.update({ where: { id }, data: fields });
  const user = await uniqueEmail(fields.email, write);
  // Later reads in this request must not see the row as it was.
  ctx.loaders.userById.clear(id).prime(id, user);
  return user;
}

/** The user with this id, or NOT_FOUND (a malformed id included). */
export async function requireUser(ctx: UserContext, id: string): Promise<User> {
  const user = await ctx.loaders.userById.load(id);
  if (!user) throw apiError("NOT_FOUND", `No user with id ${id}`, { id });
  return user;
}
