import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ServiceName } from "#lib/config.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The entry point of a service, from the project's root. */
const entry = (name: string) => (name === "gateway" ? "gateway/src/index.ts" : `subgraphs/${name}/src/index.ts`);

/**
 * Services still running when this process exits, killed then: a test that timed out while
 * starting a stack (its `afterAll` never saw the service) leaves no process behind.
 */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A service running as a real process on a free port. */
export interface RunningService {
  name: ServiceName | (string & {});
  /** Base URL, for example `http://127.0.0.1:39211`. */
  url: string;
  process: ChildProcess;
  /** Every log line it wrote so far, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Sends SIGTERM and waits for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts one service with `tsx`, exactly as `npm start` does, on port 0, and resolves once it
 * logs the URL it listens on. `env` is added to the test run's environment. With `compiled`, the
 * folder of a build (`npm run build`): the service runs from there as compiled JavaScript. With
 * `root`, another copy of the project (one a test changed): the service runs from its sources.
 */
export function startService(
  name: ServiceName | (string & {}),
  env: Record<string, string> = {},
  { compiled, root = ROOT }: { compiled?: string; root?: string } = {},
): Promise<RunningService> {
  const args = compiled ? [join(compiled, entry(name).replace(/\.ts$/, ".js"))] : ["--import", "tsx", entry(name)];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "info", NODE_ENV: "development", [`${name.toUpperCase()}_PORT`]: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  // "close", not "exit": by then every line the process wrote has been read.
  const exited = new Promise<number | null>((resolve) =>
    child.once("close", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  child.stderr!.on("data", (chunk) => stderr.push(String(chunk)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 60 s:\n${stderr.join("")}`)), 60_000);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === "listening" && typeof entry.port === "number") {
        clearTimeout(timer);
        resolve({
          name,
          url: `http://127.0.0.1:${entry.port}`,
          process: child,
          logs,
          stop: () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:\n${logs.map((l) => JSON.stringify(l)).join("\n")}\n${stderr.join("")}`));
    });
  });
}
