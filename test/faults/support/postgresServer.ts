import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { applyMigrations } from "../../../scripts/database.js";
import { freePort } from "../../support/ports.js";
import { until } from "../../support/until.js";
import { privateServer, signalAndWait, type PrivateServer } from "./processes.js";

/** A PostgreSQL server of the test's own, on a free port, that it may restart. */
export interface PrivatePostgres extends PrivateServer {
  /** The migrated database's URL. */
  url: string;
  /** Stops the server at once (`immediate`: every connection cut, as a crash) and starts it again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Where PostgreSQL's server programs are: `PG_BIN`, or the newest `/usr/lib/postgresql/<version>/bin` (Debian's layout). */
function binaries(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))) : [];
  if (versions.length === 0) throw new Error("PostgreSQL's server programs not found: set PG_BIN to the folder holding initdb and pg_ctl");
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0]!, "bin");
}

/** initdb and postgres refuse to run as root: run them as the `postgres` account then. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return { uid: Number(execFileSync("id", ["-u", "postgres"]).toString()), gid: Number(execFileSync("id", ["-g", "postgres"]).toString()) };
}

/**
 * `initdb` into a new temporary folder, `postgres` on a free port (fsync off: nothing here
 * needs to survive the machine), and the project's migrations applied to a database `faults`.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binaries();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), "fault-pg-"));
  const data = join(dir, "data");
  if (user) {
    chmodSync(dir, 0o755);
    chownSync(dir, user.uid, user.gid);
  }
  execFileSync(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], { stdio: "ignore", ...user });
  const port = await freePort();
  const serverUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;

  const answers = async () => {
    const client = new pg.Client({ connectionString: serverUrl });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query("SELECT 1");
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  const start = async () => {
    child = spawn(
      join(bin, "postgres"),
      ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"],
      {
        stdio: "ignore",
        ...user,
      },
    );
    await until(`postgres on ${port} answers`, answers, 30_000);
  };

  // SIGQUIT: immediate shutdown, connections are cut, not drained.
  const stop = () => signalAndWait(child, "SIGQUIT");

  await start();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query("CREATE DATABASE faults");
  await admin.end();
  const url = serverUrl.replace(/\/postgres$/, "/faults");
  await applyMigrations(url);
  return { ...privateServer(url, dir, start, stop), stop };
}
