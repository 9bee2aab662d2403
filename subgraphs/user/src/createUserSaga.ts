import type { User } from "../../../generated/prisma/client.js";
import { orUnavailable } from "./authClient.js";
import type { UserContext } from "./context.js";
import type { CreateUserInput } from "./__generated__/resolvers-types.js";
import { checkCreateInput } from "./userInput.js";
import { insertUser, writeUser } from "./userStore.js";

/**
 * Creates a user with a password, across two services that each own half of it (DESIGN.md,
 * "Ownership"):
 * 1. insert the user, inactive, so it cannot sign in while it has no password;
 * 2. ask auth to store the password (auth applies its policy);
 * 3. activate the user.
 * When step 2 or 3 fails, the row is deleted again: a user either exists, active, with a
 * password, or not at all. Auth's errors for the caller (a password refused) reach the
 * caller unchanged; an auth service that cannot be reached is SERVICE_UNAVAILABLE.
 */
export async function createUserSaga(ctx: UserContext, input: CreateUserInput): Promise<User> {
  const fields = checkCreateInput(input);
  const { logger } = ctx;
  const user = await insertUser(ctx, { ...fields, active: false });
  logger.info({ userId: user.id, step: "insert" }, "createUser: inserted inactive user");
  try {
    await orUnavailable(ctx.authClient.setPassword(user.id, input.password), "the user was not created");
    logger.info({ userId: user.id, step: "setPassword" }, "createUser: password stored by auth");
    const active = await writeUser(ctx, user.id, { active: true });
    logger.info({ userId: user.id, step: "activate" }, "createUser: user activated");
    return active;
  } catch (err) {
    await compensate(ctx, user.id, err);
    throw err;
  }
}

/**
 * Deletes the inserted row. When only step 3 failed, auth keeps a password for an id that no
 * user has any more: nobody can sign in with it.
 */
async function compensate(ctx: UserContext, userId: string, cause: unknown): Promise<void> {
  ctx.logger.warn({ userId, err: cause, step: "compensate" }, "createUser failed, deleting the inserted user");
  try {
    await ctx.prisma.user.delete({ where: { id: userId } });
    ctx.loaders.userById.clear(userId);
    ctx.logger.info({ userId, step: "compensate" }, "createUser: inserted user deleted");
  } catch (err) {
    // The row stays inactive, so it cannot sign in; an operator must remove it.
    ctx.logger.error({ userId, err, step: "compensate" }, "createUser: compensation failed, inactive user left behind");
  }
}
