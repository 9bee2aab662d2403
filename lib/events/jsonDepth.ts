/**
 * The deepest nesting of objects and arrays in a JSON text, counted on the bytes before
 * anything is parsed, and given up as soon as it passes `limit`. A message nested 150,000
 * levels deep parses, but everything that walks it recursively afterwards (JSON.stringify on
 * the way to Redis) throws; refusing it here costs one pass and no allocation.
 *
 * Brackets inside strings do not count. The text need not be valid JSON: the parser that
 * runs next says whether it is.
 */
export function jsonDepthExceeds(content: Uint8Array, limit: number): boolean {
  const QUOTE = 0x22;
  const BACKSLASH = 0x5c;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > limit) return true;
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  return false;
}
