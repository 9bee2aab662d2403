import type { User } from "../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";
import { orUnavailable } from "./authClient.js";
import type { UserContext } from "./context.js";
import type { UpdateUserInput } from "./__generated__/resolvers-types.js";
import { checkUpdateInput } from "./userInput.js";
import { assertAdminRemains, requireUser, writeUser } from "./userStore.js";

/** Whether two role lists grant the same roles, whatever their order. */
const sameRoles = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** Administrators must not lock themselves out by mistake (this is not an authorization rule). */
function refuseOwnAccount(ctx: UserContext, user: User, action: string): void {
  if (user.id === ctx.auth?.userId) throw apiError("BAD_USER_INPUT", `You cannot ${action} your own account`, { field: "id" });
}

/**
 * Signs a user out everywhere around a change that their tokens would contradict (roles,
 * deactivation). First before the write: when auth cannot be reached nothing changes
 * (SERVICE_UNAVAILABLE, `consequence` says what), and no token issued before survives the
 * change. Then again once the write is committed: a sign-in that read the account before the
 * commit read an older revocation generation, so its token is refused too (auth reads the
 * generation before the account). Should that second call fail, the change stands and the
 * earlier tokens are already refused; only a sign-in that overlapped the write could keep the
 * old rights, until its token expires, and that is logged as an error.
 */
async function signedOutAround<T>(ctx: UserContext, userId: string, consequence: string, write: () => Promise<T>): Promise<T> {
  await orUnavailable(ctx.authClient.revokeUserSessions(userId), consequence);
  const written = await write();
  try {
    await ctx.authClient.revokeUserSessions(userId);
  } catch (err) {
    ctx.logger.error({ userId, err }, "sessions not revoked after the change: a sign-in overlapping it may keep the old rights until its token expires");
  }
  return written;
}

/**
 * Changes some fields of a user. Tokens carry the roles, so a change of roles or a
 * deactivation also signs the user out everywhere, through auth, before and after the write.
 * The last active administrator keeps the ADMIN role and stays active (CONFLICT).
 */
export async function updateUser(ctx: UserContext, id: string, input: UpdateUserInput): Promise<User> {
  const fields = checkUpdateInput(input);
  const user = await requireUser(ctx, id);
  if (fields.active === false) refuseOwnAccount(ctx, user, "deactivate");
  await assertAdminRemains(ctx, user, fields);
  const rolesChange = fields.roles !== undefined && !sameRoles(fields.roles, user.roles);
  const write = () => writeUser(ctx, user.id, fields);
  if (!rolesChange && !(fields.active === false && user.active)) return write();
  const updated = await signedOutAround(ctx, user.id, "the user was not changed", write);
  ctx.logger.info({ userId: user.id, rolesChange }, "updateUser: user signed out everywhere");
  return updated;
}

/**
 * Deletes a user the way an audit trail allows: the row stays, inactive, and the user is
 * signed out everywhere, before and after the write. The last active administrator cannot be
 * deleted (CONFLICT).
 */
export async function deleteUser(ctx: UserContext, id: string): Promise<User> {
  const user = await requireUser(ctx, id);
  refuseOwnAccount(ctx, user, "delete");
  await assertAdminRemains(ctx, user, { active: false });
  const deleted = await signedOutAround(ctx, user.id, "the user was not deleted", () => writeUser(ctx, user.id, { active: false }));
  ctx.logger.info({ userId: user.id }, "deleteUser: user deactivated and signed out everywhere");
  return deleted;
}
