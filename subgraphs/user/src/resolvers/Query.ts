import type { Prisma } from "../../../../generated/prisma/client.js";
import type { QueryResolvers, QueryUsersArgs } from "../__generated__/resolvers-types.js";
import { decodeCursor, pageOffset, pageSize, selects, toPage } from "#lib/graphql/pagination.js";
import { checkSearch } from "../userInput.js";

// Prisma sends `contains` as LIKE without escaping (prisma/orm#19506): a searched `%` or `_`
// must match itself, not act as a wildcard.
const literal = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The rows `users` filters on: every filter given must match. The search text is checked like
 * any client text (a NUL or an unpaired surrogate would fail in PostgreSQL).
 */
function usersWhere({ search, role, active }: QueryUsersArgs): Prisma.UserWhereInput {
  const text = checkSearch(search);
  const contains = { contains: literal(text ?? ""), mode: "insensitive" } as const;
  return {
    ...(text ? { OR: [{ email: contains }, { name: contains }] } : {}),
    ...(role ? { roles: { has: role } } : {}),
    ...(active != null ? { active } : {}),
  };
}

export const Query: QueryResolvers = {
  // `@authenticated` guarantees a caller; the guard only narrows the type.
  me: (_parent, _args, ctx) => (ctx.auth ? ctx.loaders.userById.load(ctx.auth.userId) : null),

  user: (_parent, { id }, ctx) => ctx.loaders.userById.load(id),

  // Ordered by email, which is unique, so the cursor is the last email seen.
  users: async (_parent, args, ctx, info) => {
    const size = pageSize(args.first);
    const after = args.after != null ? decodeCursor(args.after) : undefined;
    const where = usersWhere(args);
    const [rows, totalCount] = await Promise.all([
      ctx.prisma.user.findMany({
        where: after === undefined ? where : { AND: [where, { email: { gt: after } }] },
        orderBy: { email: "asc" },
        skip: pageOffset(args.offset),
        take: size + 1,
      }),
      // One count of the whole filtered set, only when the client asked for it.
      selects(info, "totalCount") ? ctx.prisma.user.count({ where }) : 0,
    ]);
    return { ...toPage(rows, size, (user) => user.email), totalCount };
  },
};
