/** The value below which `p` percent of the sorted `values` fall (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Resident set size of a process in MiB, from `/proc` (Linux). */
export async function rssMiB(pid: number): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** The ids of `pid` and of every process below it (workers a peer forks), from `/proc`. */
export async function processTree(pid: number): Promise<number[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  const parents = new Map<number, number>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (Number.isFinite(ppid)) parents.set(Number(entry), ppid);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** CPU time (user + system) used so far by `pid` and its descendants, in milliseconds. */
export async function cpuMs(pid: number): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  let ticks = 0;
  for (const id of await processTree(pid)) {
    const stat = await readFile(`/proc/${id}/stat`, "utf8").catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after the command name.
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** Resident set size of `pid` and its descendants, in MiB. */
export async function treeRssMiB(pid: number): Promise<number> {
  let total = 0;
  for (const id of await processTree(pid)) total += await rssMiB(id).catch(() => 0);
  return Math.round(total * 10) / 10;
}
