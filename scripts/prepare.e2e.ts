import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { readBackingServices } from "#lib/config.js";
import { cloneTestDatabase, uncreatedDatabase } from "../test/support/database.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Runs `scripts/prepare.ts` as `npm run db:prepare` does; resolves with its exit code and output. */
async function prepare(env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/prepare.ts"], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("npm run db:prepare", () => {
  it("names each unreachable backing service and its address, without a stack trace", async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await prepare({
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/batch_supergraph`,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      AMQP_URL: `amqp://guest:guest@127.0.0.1:${port}`,
    });
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    for (const service of ["PostgreSQL", "Redis", "RabbitMQ"]) {
      expect(stderr).toContain(`Cannot reach ${service} at 127.0.0.1:${port}`);
    }
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it("creates, migrates and seeds a new database, then finds nothing to do", async () => {
    const { name: fresh, url } = uncreatedDatabase();
    const env = { ...readBackingServices(), DATABASE_URL: url, NODE_ENV: "development" };
    const first = await prepare(env);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toMatch(new RegExp(`^database ${fresh}: created\nmigrations: \\d+ applied\nseed: admin admin@example.com created\n`));
    expect(first.stdout).toContain("seed: viewer viewer@example.com created\nseed: specification PARA-500 v1 created\n");

    const again = await prepare(env);
    expect(again).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        `database ${fresh}: exists`,
        "migrations: up to date",
        "seed: admin admin@example.com exists",
        "seed: qa qa@example.com exists",
        "seed: production production@example.com exists",
        "seed: viewer viewer@example.com exists",
        "seed: specification PARA-500 v1 exists",
        "seed: specification IBU-400 v1 exists",
        "seed: specification AMOX-250 v1 exists",
        "",
      ].join("\n"),
    });
  }, 120_000);

  it("refuses to create an admin with a known password in production", async () => {
    // Migrated and without accounts: the seed is the step left to do.
    const database = await cloneTestDatabase();
    try {
      const env = { ...readBackingServices(), DATABASE_URL: database.url, NODE_ENV: "production", ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "" };
      const { code, stderr } = await prepare(env);
      expect({ code, stderr }).toEqual({
        code: 1,
        stderr: "seed: ADMIN_PASSWORD must be set to create the admin owner@example.com when NODE_ENV=production\n",
      });
    } finally {
      await database.drop();
    }
  }, 60_000);
});
