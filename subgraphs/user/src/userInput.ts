import type { Role } from "../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";
import { checkOptionalText, checkText } from "#lib/graphql/text.js";
import type { CreateUserInput, UpdateUserInput } from "./__generated__/resolvers-types.js";

/** Longest address SMTP can deliver to (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254;
/** Longest display name, in characters. */
export const MAX_NAME_LENGTH = 100;
/** Longest department, in characters. */
export const MAX_DEPARTMENT_LENGTH = 100;
/** Longest `users(search:)` text: a whole email address fits. */
export const MAX_SEARCH_LENGTH = MAX_EMAIL_LENGTH;
// A shape check only: whether the mailbox exists is for a confirmation mail to find out.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** The columns of a user that callers write, checked and normalised. */
export interface UserFields {
  email: string;
  name: string;
  roles: Role[];
  department: string | null;
}

/**
 * Trims and lower-cases an email (the form it is stored and compared in) and checks its length
 * (at most {@link MAX_EMAIL_LENGTH}), its characters and its shape.
 */
export function normaliseEmail(raw: string): string {
  const email = checkText("email", raw, { max: MAX_EMAIL_LENGTH }).toLowerCase();
  if (!EMAIL_SHAPE.test(email)) {
    throw apiError("BAD_USER_INPUT", `${JSON.stringify(raw)} is not a valid email address`, { field: "email" });
  }
  return email;
}

/** A display name: trimmed, not blank, at most {@link MAX_NAME_LENGTH} characters, one line. */
const checkName = (raw: string): string => checkText("name", raw, { max: MAX_NAME_LENGTH });

function checkRoles(roles: readonly Role[]): Role[] {
  if (roles.length === 0) throw apiError("BAD_USER_INPUT", "A user needs at least one role", { field: "roles" });
  return [...new Set(roles)];
}

/** A department of at most {@link MAX_DEPARTMENT_LENGTH} characters; a blank one is no department. */
const checkDepartment = (raw: string | null | undefined): string | null => checkOptionalText("department", raw, { max: MAX_DEPARTMENT_LENGTH }) ?? null;

/** The `users(search:)` text, trimmed; blank is no search. */
export const checkSearch = (raw: string | null | undefined): string | null | undefined => checkOptionalText("search", raw, { max: MAX_SEARCH_LENGTH });

/** The fields of a new user, or BAD_USER_INPUT naming the first field that is wrong. */
export function checkCreateInput(input: CreateUserInput): UserFields {
  return {
    email: normaliseEmail(input.email),
    name: checkName(input.name),
    // GraphQL fills in the SDL default `[VIEWER]`; the type only says it may be omitted.
    roles: checkRoles(input.roles ?? []),
    department: checkDepartment(input.department),
  };
}

/**
 * The columns a partial update writes. A field left out or null keeps its value, except
 * `department`, which null clears (the only nullable column).
 */
export function checkUpdateInput(input: UpdateUserInput): Partial<UserFields> & { active?: boolean } {
  const fields: Partial<UserFields> & { active?: boolean } = {};
  if (input.email != null) fields.email = normaliseEmail(input.email);
  if (input.name != null) fields.name = checkName(input.name);
  if (input.roles != null) fields.roles = checkRoles(input.roles);
  if (input.department !== undefined) fields.department = checkDepartment(input.department);
  if (input.active != null) fields.active = input.active;
  return fields;
}
