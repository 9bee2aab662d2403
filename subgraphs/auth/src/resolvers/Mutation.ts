import { apiError } from "#lib/errors.js";
import type { MutationResolvers } from "../__generated__/resolvers-types.js";
import { caller } from "../context.js";
import { login } from "../login.js";
import { confirmSignature } from "../signature.js";
import { assertPasswordAllowed } from "../passwordPolicy.js";
import { assertUserId } from "../users.js";

const sessionEnded = () => apiError("UNAUTHENTICATED", "Invalid or expired refresh token");

export const Mutation: MutationResolvers = {
  login: (_parent, args, ctx) => login(ctx, args),

  confirmSignature: (_parent, { password }, ctx) => confirmSignature(ctx, password),

  refreshToken: async (_parent, { refreshToken }, ctx) => {
    // The user is only known from the token's row; reading it first costs one query more and
    // lets the stamp come before the rotation (see `Sessions.endAll`).
    const owner = await ctx.sessions.ownerOf(refreshToken);
    const stamp = owner ? await ctx.issuer.stamp(owner) : undefined;
    const rotated = await ctx.sessions.rotate(refreshToken);
    if (rotated.refused) {
      if (rotated.refused === "reused" || rotated.refused === "revoked") {
        const { userId, familyId } = rotated;
        ctx.logger.warn({ userId, familyId, refused: rotated.refused }, "rotated or revoked refresh token presented: session ended");
      }
      throw sessionEnded();
    }
    // As at login: the account is read after the stamp, and a revocation that landed since
    // ends the session instead of answering with a token that is already refused.
    const user = await ctx.users.byId(rotated.userId);
    if (!user?.active || !stamp || stamp.userId !== user.id || !(await ctx.issuer.stillCurrent(stamp))) {
      await ctx.sessions.endFamily(rotated.familyId);
      ctx.logger.info({ userId: rotated.userId, active: user?.active ?? false }, "refresh refused: user inactive, gone or revoked meanwhile");
      throw sessionEnded();
    }
    return ctx.issuer.payload(user, rotated, stamp);
  },

  logout: async (_parent, { refreshToken }, ctx) => {
    const { jti, exp, userId } = caller(ctx);
    await ctx.revocations.revokeToken(jti, exp);
    const endedSession = refreshToken ? await ctx.sessions.endFamilyOf(refreshToken, userId) : false;
    ctx.logger.info({ userId, endedSession }, "logged out");
    return true;
  },

  // A wrong current password is BAD_USER_INPUT, not UNAUTHENTICATED: the caller's token is
  // fine, and clients take UNAUTHENTICATED to mean "sign in again". Failures count against the
  // account as failed logins do, so a stolen access token cannot be used to guess the password.
  changePassword: async (_parent, { currentPassword, newPassword }, ctx) => {
    const { userId, email } = caller(ctx);
    assertPasswordAllowed(newPassword, email);
    await ctx.throttle.attempt({ email }, ctx.logger);
    if (!(await ctx.credentials.check(currentPassword, await ctx.credentials.hashOf(userId)))) {
      await ctx.throttle.failed({ email });
      ctx.logger.info({ userId }, "password change refused: wrong current password");
      throw apiError("BAD_USER_INPUT", "Current password is incorrect", { field: "currentPassword" });
    }
    await ctx.throttle.succeeded({ email });
    await ctx.credentials.set(userId, newPassword);
    await ctx.sessions.endAll(userId);
    ctx.logger.info({ userId }, "password changed, sessions ended");
    return true;
  },

  setPassword: async (_parent, { userId, password }, ctx) => {
    assertUserId(userId);
    const user = await ctx.users.byId(userId);
    if (!user) throw apiError("NOT_FOUND", `No user with id ${userId}`, { field: "userId" });
    assertPasswordAllowed(password, user.email);
    const { replaced } = await ctx.credentials.set(userId, password);
    if (replaced) await ctx.sessions.endAll(userId);
    ctx.logger.info({ userId, by: caller(ctx).userId, replaced }, "password set");
    return true;
  },

  revokeUserSessions: async (_parent, { userId }, ctx) => {
    assertUserId(userId);
    await ctx.sessions.endAll(userId);
    ctx.logger.info({ userId, by: caller(ctx).userId }, "sessions revoked");
    return true;
  },
};
