import { readFileSync } from "node:fs";
import { parse, type DocumentNode } from "graphql";

/** Parses an SDL file given relative to the calling module (`import.meta.url`). */
export function loadSchema(moduleUrl: string, relativePath: string): DocumentNode {
  return parse(readFileSync(new URL(relativePath, moduleUrl), "utf8"));
}
