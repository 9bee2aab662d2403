import type { UserResolvers } from "../__generated__/resolvers-types.js";

export const User: UserResolvers = {
  // Through the request's loader: N references in one query plan cost one SQL statement.
  __resolveReference: ({ id }, ctx) => ctx.loaders.userById.load(id),
};
