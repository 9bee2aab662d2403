import { Prisma, type User } from "../../../generated/prisma/client.js";
import { apiError } from "../../../lib/errors.js";
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

/** Writes some columns of an existing user; CONFLICT when the new email is taken. */
export async function writeUser(ctx: UserContext, id: string, fields: Writable): Promise<User> {
  const user = await uniqueEmail(fields.email, () => ctx.prisma.user.update({ where: { id }, data: fields }));
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
