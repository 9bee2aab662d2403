/**
 * The processes of the bench: our compiled services, and the peer gateways installed in this
 * folder. Each is started on a free port and awaited until it answers; each is stopped with
 * SIGTERM at the end.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type { ServiceName } from "../../lib/config.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const HERE = fileURLToPath(new URL(".", import.meta.url));

export interface BenchProcess {
  name: string;
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A port nobody listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts `command` with `env` and resolves once `readyUrl` answers 2xx (60 s at most). */
export async function startProcess(
  name: string,
  command: string[],
  env: Record<string, string>,
  url: string,
  readyPath: string,
  cwd = ROOT,
): Promise<BenchProcess> {
  const child = spawn(command[0]!, command.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  // What it printed, for the error when it fails to start; dropped once it answers.
  const stderr: string[] = [];
  const keep = (chunk: Buffer) => void (stderr.length < 200 && stderr.push(String(chunk)));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let exited: number | null | undefined;
  child.once("exit", (code) => (exited = code));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`${name} exited with ${exited}:\n${stderr.join("").slice(-2_000)}`);
    if (Date.now() > deadline) throw new Error(`${name} did not answer ${url}${readyPath} in 60 s:\n${stderr.join("").slice(-2_000)}`);
    const ok = await fetch(`${url}${readyPath}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      child.stdout!.off("data", keep);
      child.stderr!.off("data", keep);
      // BENCH_LOGS=<folder>: what each process prints goes to <folder>/<name>.log; otherwise nowhere.
      if (process.env.BENCH_LOGS) {
        const log = createWriteStream(`${process.env.BENCH_LOGS}/${name}.log`);
        child.stdout!.pipe(log);
        child.stderr!.pipe(log);
      } else {
        child.stdout!.resume();
        child.stderr!.resume();
      }
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name,
    url,
    pid: child.pid!,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}

/** One of our services, compiled (`npm run build`), in production mode, on a free port. */
export async function startOurService(name: ServiceName, env: Record<string, string>): Promise<BenchProcess> {
  const port = await freePort();
  const entry = name === "gateway" ? "dist/gateway/src/index.js" : `dist/subgraphs/${name}/src/index.js`;
  // BENCH_PROFILE=<folder>: each of our services writes a V8 CPU profile there when it stops,
  // `<name>-<port>.cpuprofile` (a second set of subgraphs, `ours-traced`'s, has other ports).
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`, `--cpu-prof-name=${name}-${port}.cpuprofile`] : [];
  return startProcess(
    name,
    [process.execPath, ...profile, entry],
    { ...env, NODE_ENV: "production", [`${name.toUpperCase()}_PORT`]: String(port) },
    `http://127.0.0.1:${port}`,
    "/health",
  );
}

/** Bare `@apollo/gateway` on Apollo Server, as a team would start with it (`peers/apollo-gateway.mjs`). */
export async function startApolloGateway(supergraphPath: string): Promise<BenchProcess> {
  const port = await freePort();
  return startProcess(
    "apollo-gateway",
    [process.execPath, "peers/apollo-gateway.mjs"],
    { NODE_ENV: "production", PORT: String(port), SUPERGRAPH_PATH: supergraphPath },
    `http://127.0.0.1:${port}`,
    "/health",
    HERE,
  );
}

/** Hive Gateway over the same supergraph (`peers/hive.config.mjs`), with its JS planner or the Rust one. */
export async function startHiveGateway(supergraphPath: string, rustPlanner: boolean): Promise<BenchProcess> {
  const port = await freePort();
  return startProcess(
    rustPlanner ? "hive-gateway-rust" : "hive-gateway",
    [process.execPath, "node_modules/@graphql-hive/gateway/dist/bin.js", "supergraph", "-c", "peers/hive.config.mjs"],
    { PORT: String(port), SUPERGRAPH_PATH: supergraphPath, ...(rustPlanner ? { HIVE_RUST_PLANNER: "1" } : {}) },
    `http://127.0.0.1:${port}`,
    "/healthcheck",
    HERE,
  );
}
