import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The README's Layout section names real folders and files, and every top-level folder of the
 * project is in it: a move or a new folder without its line fails here.
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const block = /### Layout\n+```\n([\s\S]*?)\n```/.exec(readme)?.[1] ?? "";
const subgraphs = readdirSync(join(ROOT, "subgraphs")).filter((name) => statSync(join(ROOT, "subgraphs", name)).isDirectory());

/** The paths the block names: an indented line is inside the last unindented folder above it. */
function namedPaths(): string[] {
  const paths: string[] = [];
  let parent = "";
  for (const line of block.split("\n")) {
    const match = /^( *)(\S+)/.exec(line);
    if (!match || !/[/.]/.test(match[2]!)) continue;
    const [, indent, first] = match;
    if (indent === "") parent = first!.endsWith("/") ? first! : "";
    else if (indent!.length > 2) continue; // the description of the line above, wrapped
    const names =
      indent === ""
        ? [first!]
        : line
            .trim()
            .split(/\s{2,}/)[0]!
            .split(" ")
            .filter((n) => /[/.]/.test(n));
    for (const name of names) paths.push(indent === "" ? name : `${parent}${name}`);
  }
  // `<name>` stands for every subgraph.
  return paths.flatMap((path) => (path.includes("<name>") ? subgraphs.map((name) => path.replace("<name>", name)) : [path]));
}

describe("README layout", () => {
  it("names only paths that exist", () => {
    const paths = namedPaths();
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((path) => !path.includes("<") && !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it("lists every top-level folder of the project", () => {
    const generated = new Set(["node_modules", "dist", "generated", "coverage"]);
    const folders = readdirSync(ROOT).filter((name) => !name.startsWith(".") && !generated.has(name) && statSync(join(ROOT, name)).isDirectory());
    const listed = new Set(namedPaths().map((path) => path.split("/")[0]));
    expect(folders.filter((name) => !listed.has(name))).toEqual([]);
  });
});
