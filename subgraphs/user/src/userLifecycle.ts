import type { User } from "../../../generated/prisma/client.js";
import { apiError } from "../../../lib/errors.js";
import { orUnavailable } from "./authClient.js";
import type { UserContext } from "./context.js";
import type { UpdateUserInput } from "./__generated__/resolvers-types.js";
import { checkUpdateInput } from "./userInput.js";
import { requireUser, writeUser } from "./userStore.js";

/** Whether two role lists grant the same roles, whatever their order. */
const sameRoles = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** Administrators must not lock themselves out by mistake (this is not an authorization rule). */
function refuseOwnAccount(ctx: UserContext, user: User, action: string): void {
  if (user.id === ctx.auth?.userId) throw apiError("BAD_USER_INPUT", `You cannot ${action} your own account`, { field: "id" });
}

/**
 * Changes some fields of a user. Tokens carry the roles, so a change of roles or a
 * deactivation also signs the user out everywhere, through auth. Auth is asked first: when it
 * cannot be reached, nothing changes (SERVICE_UNAVAILABLE) rather than leaving live tokens
 * with the old roles behind.
 */
export async function updateUser(ctx: UserContext, id: string, input: UpdateUserInput): Promise<User> {
  const fields = checkUpdateInput(input);
  const user = await requireUser(ctx, id);
  if (fields.active === false) refuseOwnAccount(ctx, user, "deactivate");
  const rolesChange = fields.roles !== undefined && !sameRoles(fields.roles, user.roles);
  if (rolesChange || (fields.active === false && user.active)) {
    await orUnavailable(ctx.authClient.revokeUserSessions(user.id), "the user was not changed");
    ctx.logger.info({ userId: user.id, rolesChange }, "updateUser: user signed out everywhere");
  }
  return writeUser(ctx, user.id, fields);
}

/**
 * Deletes a user the way an audit trail allows: the row stays, inactive, and the user is
 * signed out everywhere. Revocation comes first so that a failure never leaves a deleted-looking user
 * whose tokens still work.
 */
export async function deleteUser(ctx: UserContext, id: string): Promise<User> {
  const user = await requireUser(ctx, id);
  refuseOwnAccount(ctx, user, "delete");
  await orUnavailable(ctx.authClient.revokeUserSessions(user.id), "the user was not deleted");
  ctx.logger.info({ userId: user.id }, "deleteUser: user signed out everywhere");
  const deleted = await writeUser(ctx, user.id, { active: false });
  ctx.logger.info({ userId: user.id }, "deleteUser: user deactivated");
  return deleted;
}
