import { apiError } from "#lib/errors.js";
import { isUuid } from "#lib/graphql/ids.js";
import type { PrismaClient } from "#lib/prisma.js";

/**
 * The one place auth reads another subgraph's schema: `users.users`, owned by the user
 * subgraph, to find who is signing in (id, lower-cased email, roles, active), and who is
 * signing a record electronically (id, email, printed name, active). This is the single
 * documented cross-schema read of the design; it is read-only (only `findUnique`, never a
 * write) and selects no more columns than each of the two needs. Were the schemas moved to
 * databases of their own, this module alone would become a call to the user subgraph.
 */
const ACCOUNT = { id: true, email: true, roles: true, active: true } as const;
/** An electronic signature shows the signer's printed name (21 CFR Part 11 §11.50). */
const SIGNER = { id: true, email: true, name: true, active: true } as const;

/** What auth knows of a user. */
export type Account = NonNullable<Awaited<ReturnType<Users["byId"]>>>;

/** Refuses an id that is not a UUID before PostgreSQL would fail on it. */
export function assertUserId(userId: string): void {
  if (!isUuid(userId)) throw apiError("BAD_USER_INPUT", `userId must be a UUID, got ${JSON.stringify(userId)}`, { field: "userId" });
}

/** Read-only access to the accounts in `users.users`. */
export class Users {
  constructor(private readonly prisma: PrismaClient) {}

  /** The account of an email address, compared case-insensitively. */
  byEmail(email: string) {
    return this.prisma.user.findUnique({ where: { email: email.trim().toLowerCase() }, select: ACCOUNT });
  }

  /** The account of a user id (a valid UUID). */
  byId(userId: string) {
    return this.prisma.user.findUnique({ where: { id: userId }, select: ACCOUNT });
  }

  /** The signer of an electronic signature, by user id (a valid UUID), with the printed name. */
  signer(userId: string) {
    return this.prisma.user.findUnique({ where: { id: userId }, select: SIGNER });
  }
}
