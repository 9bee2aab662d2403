import { InvalidTokenError } from "../../../../lib/auth/tokens.js";
import type { QueryResolvers } from "../__generated__/resolvers-types.js";

export const Query: QueryResolvers = {
  // A bad token is an answer here, not an error; only a failure to check (Redis down) throws.
  verifyToken: async (_parent, { token }, ctx) => {
    try {
      const { userId, email, roles, scopes, exp } = await ctx.verifier.verify(token);
      return { valid: true, reason: null, userId, email, roles, scopes, expiresAt: new Date(exp * 1000).toISOString() };
    } catch (err) {
      if (!(err instanceof InvalidTokenError)) throw err;
      return { valid: false, reason: err.message, userId: null, email: null, roles: [], scopes: [], expiresAt: null };
    }
  },
};
