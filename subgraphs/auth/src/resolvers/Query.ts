import { InvalidTokenError } from "#lib/auth/tokens.js";
import type { QueryResolvers } from "../__generated__/resolvers-types.js";

export const Query: QueryResolvers = {
  // A bad token is an answer here, not an error; only a failure to check (Redis down) throws.
  // Anyone may ask, so the answer names only expiry and revocation; the precise reason is logged.
  verifyToken: async (_parent, { token }, ctx) => {
    try {
      const { userId, email, roles, scopes, exp } = await ctx.verifier.verify(token);
      return { valid: true, reason: null, userId, email, roles, scopes, expiresAt: new Date(exp * 1000).toISOString() };
    } catch (err) {
      if (!(err instanceof InvalidTokenError)) throw err;
      ctx.logger.info({ reason: err.message }, "verifyToken: token not valid");
      return { valid: false, reason: err.publicReason, userId: null, email: null, roles: [], scopes: [], expiresAt: null };
    }
  },
};
