import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";

/** Sends `signal` to `child` and waits until it has exited; nothing when it is not running. */
export async function signalAndWait(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}

/** What every server a fault test starts of its own offers: where it is, starting it again, and removing it. */
export interface PrivateServer {
  url: string;
  /** Starts the server again after a stop, on the same port. */
  start(): Promise<void>;
  /** Stops the server as its `stop` does and starts it again. */
  restart(): Promise<void>;
  /** Stops the server and removes its files. */
  close(): Promise<void>;
}

/** A {@link PrivateServer} at `url` keeping its files in `dir`, from how it starts and stops. */
export function privateServer(url: string, dir: string, start: () => Promise<void>, stop: () => Promise<void>): PrivateServer {
  return {
    url,
    start,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
