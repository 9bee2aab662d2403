/**
 * Prints where a V8 CPU profile (`node --cpu-prof`) spent its time: the functions with the
 * most self time, and the packages (or project folders) they belong to.
 *
 *   npx tsx bench/support/profileTop.ts <file.cpuprofile> [rows]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const [file, rows = "25"] = process.argv.slice(2);
if (!file) throw new Error("usage: profileTop <file.cpuprofile> [rows]");
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  if (micros === 0) continue;
  total += micros;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\//, "");
  const pkg =
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1] ??
    (where.includes("/dist/") ? `ours:${where.split("/dist/")[1]!.split("/").slice(0, 2).join("/")}` : where || "(native)");
  const key = `${functionName || "(anonymous)"} ${pkg}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
}
const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) {
    console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}`);
  }
};
print("self time by function", byFunction);
print("self time by package or folder", byPackage);
