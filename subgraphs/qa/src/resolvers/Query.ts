import type { QueryResolvers } from "../__generated__/resolvers-types.js";

export const Query: QueryResolvers = {
  qaService: () => ({ name: "qa", answeredAt: new Date() }),
};
