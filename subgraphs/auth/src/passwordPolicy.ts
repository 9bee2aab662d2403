import { dictionary } from "@zxcvbn-ts/language-common";
import { apiError } from "#lib/errors.js";

/** Shortest password accepted, in characters (NIST SP 800-63B asks for at least 8; we ask 12). */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest accepted: long passphrases are welcome, megabytes to hash are not. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * About 49,000 passwords most often found in breaches, lower-cased: the `passwords-common`
 * list of zxcvbn-ts (`@zxcvbn-ts/language-common`, MIT), maintained with that estimator.
 */
const COMMON = new Set(dictionary["passwords-common"]);

// Control characters (C0, DEL, C1): invisible, and some (NUL) cut strings short elsewhere.
const CONTROL = /\p{Cc}/u;
// A UTF-16 surrogate without its pair is no character: it would be hashed as U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Digits, punctuation and spaces stuck to either end of a word, the usual way to stretch a
// common password to a required length ("password12345", "baseball2024!").
const PADDING = /^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu;

/** Whether the password is one shorter piece said again and again ("passwordpassword", "abcabcabcabc"). */
function repeatsShortPiece(characters: string[]): boolean {
  const length = characters.length;
  for (let piece = 1; piece < MIN_PASSWORD_LENGTH && piece < length; piece++) {
    if (length % piece === 0 && characters.every((c, i) => c === characters[i % piece])) return true;
  }
  return false;
}

/** Whether the password, or its word without padding, is on the list of common passwords. */
function isCommon(lowered: string): boolean {
  const word = lowered.replace(PADDING, "");
  return COMMON.has(lowered) || (word !== "" && COMMON.has(word));
}

/**
 * Throws `BAD_USER_INPUT` (with `field: "password"`) when a new password breaks the policy:
 * 12 to 256 characters (code points, so an emoji counts once); not only spaces; no control
 * characters or unpaired surrogates; not one piece shorter than 12 characters repeated; not a
 * common password (even with digits or symbols added at its ends); not the account's email.
 */
export function assertPasswordAllowed(password: string, email: string): void {
  const characters = [...password];
  const lowered = password.normalize("NFKC").toLowerCase();
  const refuse = (message: string) => apiError("BAD_USER_INPUT", message, { field: "password" });
  if (characters.length < MIN_PASSWORD_LENGTH) throw refuse(`Password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  if (characters.length > MAX_PASSWORD_LENGTH) throw refuse(`Password must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  if (LONE_SURROGATE.test(password)) throw refuse("Password must be valid Unicode text");
  if (CONTROL.test(password)) throw refuse("Password must not contain control characters");
  if (password.trim() === "") throw refuse("Password must not be only spaces");
  if (lowered.trim() === email.trim().toLowerCase()) throw refuse("Password must not be the email address");
  if (repeatsShortPiece([...lowered])) throw refuse("Password must not be a short piece repeated");
  if (isCommon(lowered)) throw refuse("Password is too common: it is on lists of leaked passwords");
}
