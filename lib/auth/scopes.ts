/**
 * Roles map to the scopes that `@requiresScopes` checks in the subgraphs' SDL. Tokens carry
 * the scopes, so a subgraph never needs to know the role table.
 */
import type { Role } from "../../generated/prisma/enums.js";

// The roles are the `users.Role` enum of the Prisma schema; the table below must cover each.
export type { Role };

const READ = ["users:read", "batches:read"] as const;

export const SCOPES_BY_ROLE: Readonly<Record<Role, readonly string[]>> = {
  VIEWER: [...READ],
  PRODUCTION: [...READ, "batches:write"],
  // Only QA releases or rejects a batch.
  QA: [...READ, "batches:release"],
  ADMIN: [...READ, "batches:write", "users:write", "auth:admin"],
};

/** The union of the scopes of `roles`, sorted, without duplicates. */
export function scopesForRoles(roles: readonly Role[]): string[] {
  return [...new Set(roles.flatMap((role) => SCOPES_BY_ROLE[role]))].sort();
}
