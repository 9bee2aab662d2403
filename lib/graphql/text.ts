import { apiError } from "../errors.js";

/** How a free-text input is checked. */
export interface TextRule {
  /** Longest accepted, in characters (code points, so an emoji counts once). */
  max: number;
  /** Whether an empty (or blank) value is accepted; it is then returned as `""`. Default false. */
  allowEmpty?: boolean;
  /** Whether line breaks and tabs are accepted (a reason, a description). Default false. */
  multiline?: boolean;
}

// C0 controls (NUL included) and DEL; line feed, carriage return and tab only where multiline.
// Matching control characters is the point of these two.
/* eslint-disable no-control-regex */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const SINGLE_LINE_CONTROL = /[\u0000-\u001F\u007F]/;
/* eslint-enable no-control-regex */
// A UTF-16 surrogate without its pair cannot be stored as UTF-8 (PostgreSQL refuses it).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const refuse = (field: string, message: string, extensions: Record<string, unknown> = {}) => apiError("BAD_USER_INPUT", message, { field, ...extensions });

/**
 * A client's free text, trimmed and checked before it reaches the database: not blank (unless
 * allowed), at most `max` characters, no control characters (NUL among them) and no unpaired
 * surrogate, which PostgreSQL would refuse with an internal error. Throws BAD_USER_INPUT
 * naming the field (and `maxLength` when too long).
 */
export function checkText(field: string, value: string, { max, allowEmpty = false, multiline = false }: TextRule): string {
  if (LONE_SURROGATE.test(value)) throw refuse(field, `${field} is not valid Unicode text`);
  if ((multiline ? CONTROL : SINGLE_LINE_CONTROL).test(value)) throw refuse(field, `${field} must not contain control characters`);
  const trimmed = value.trim();
  if (trimmed === "" && !allowEmpty) throw refuse(field, `${field} must not be blank`);
  // Bounded before the trim too (a code point is at most two UTF-16 units, plus some room for
  // surrounding spaces): a megabyte of spaces is not a short text.
  if (value.length > 2 * max + 100 || [...trimmed].length > max) {
    throw refuse(field, `${field} must be at most ${max} characters long`, { maxLength: max });
  }
  return trimmed;
}

/** {@link checkText} for an optional input: `null` and `undefined` pass through, blank becomes `null`. */
export function checkOptionalText(field: string, value: string | null | undefined, rule: TextRule): string | null | undefined {
  if (value == null) return value;
  return checkText(field, value, { ...rule, allowEmpty: true }) || null;
}
