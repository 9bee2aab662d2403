import type { MutationResolvers } from "../__generated__/resolvers-types.js";
import { createUserSaga } from "../createUserSaga.js";
import { deleteUser, updateUser } from "../userLifecycle.js";

export const Mutation: MutationResolvers = {
  createUser: (_parent, { input }, ctx) => createUserSaga(ctx, input),
  updateUser: (_parent, { id, input }, ctx) => updateUser(ctx, id, input),
  deleteUser: (_parent, { id }, ctx) => deleteUser(ctx, id),
};
