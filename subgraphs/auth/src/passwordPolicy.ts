import { apiError } from "../../../lib/errors.js";

/** Shortest password accepted, in characters (NIST SP 800-63B asks for at least 8; we ask 12). */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest accepted: long passphrases are welcome, megabytes to hash are not. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * Throws `BAD_USER_INPUT` (with `field: "password"`) when a new password breaks the policy:
 * 12 to 256 characters (code points, so an emoji counts once) and not the account's email.
 */
export function assertPasswordAllowed(password: string, email: string): void {
  const length = [...password].length;
  const refuse = (message: string) => apiError("BAD_USER_INPUT", message, { field: "password" });
  if (length < MIN_PASSWORD_LENGTH) throw refuse(`Password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  if (length > MAX_PASSWORD_LENGTH) throw refuse(`Password must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) throw refuse("Password must not be the email address");
}
