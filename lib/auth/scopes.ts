/**
 * Roles map to the scopes that `@requiresScopes` checks in the subgraphs' SDL. Tokens carry
 * the scopes, so a subgraph never needs to know the role table.
 */
import type { Role } from "../../generated/prisma/enums.js";

// The roles are the `users.Role` enum of the Prisma schema; the table below must cover each.
export type { Role };

const READ = ["users:read", "batches:read", "qa:read"] as const;

export const SCOPES_BY_ROLE: Readonly<Record<Role, readonly string[]>> = {
  VIEWER: [...READ],
  // Production opens deviations (`openDeviation` takes `batches:write` too) but never closes them.
  PRODUCTION: [...READ, "batches:write"],
  // Only QA records results, investigates and closes deviations (`qa:write`), publishes
  // specifications and signs release decisions (`qa:approve`), and sends a held batch back for rework.
  QA: [...READ, "batches:release", "qa:write", "qa:approve"],
  ADMIN: [...READ, "batches:write", "users:write", "auth:admin"],
};

/** The union of the scopes of `roles`, sorted, without duplicates. */
export function scopesForRoles(roles: readonly Role[]): string[] {
  return [...new Set(roles.flatMap((role) => SCOPES_BY_ROLE[role]))].sort();
}
