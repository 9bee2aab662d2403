import { execFile as execFileCallback, execFileSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyId, signAccessToken } from "#lib/auth/tokens.js";
import { cloneTestDatabase, type TestDatabase } from "../test/support/database.js";
import { graphql } from "../test/support/graphql.js";
import { startService, type RunningService } from "../test/support/services.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const execFile = promisify(execFileCallback);

/** A copy of the project's files (tracked and new, not ignored ones) in a temporary folder, sharing node_modules and the generated client. */
function copyProject(): string {
  const copy = mkdtempSync(join(tmpdir(), "new-subgraph-"));
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0");
  for (const file of files.filter((f) => f && existsSync(join(ROOT, f)))) {
    cpSync(join(ROOT, file), join(copy, file), { recursive: false });
  }
  // What `npm ci` makes: the dependencies and the Prisma client, shared (the scaffold changes neither).
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
  symlinkSync(join(ROOT, "generated"), join(copy, "generated"), "dir");
  return copy;
}

/** Runs an npm script in the copy; rejects with its output when it fails. */
const npmRun = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  execFile("npm", ["run", "--silent", ...args], { cwd, env: { ...process.env, ...env } });

describe("npm run new:subgraph", () => {
  let copy: string;
  let database: TestDatabase;
  const services: RunningService[] = [];

  beforeAll(async () => {
    copy = copyProject();
    database = await cloneTestDatabase();
    await npmRun(copy, ["new:subgraph", "--", "scratch", "8090"]);
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await database?.drop();
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it("refuses a taken name before writing anything (the other refusals: names.test.ts)", async () => {
    const before = readFileSync(join(copy, "supergraph.yaml"), "utf8");
    const refusal = await npmRun(copy, ["new:subgraph", "--", "scratch", "8091"]).then(
      () => "",
      (err: { stderr: string }) => err.stderr.trim(),
    );
    expect(refusal).toBe('name: subgraph "scratch" exists already (subgraphs/scratch)');
    expect(readFileSync(join(copy, "supergraph.yaml"), "utf8")).toBe(before);
  });

  it("writes a subgraph that type-checks, composes, migrates, and answers through a gateway", { timeout: 180_000 }, async () => {
    for (const file of [
      "schema.graphql",
      "src/index.ts",
      "src/server.ts",
      "src/context.ts",
      "src/resolvers/Query.ts",
      "src/__generated__/resolvers-types.ts",
      "test/server.int.test.ts",
    ]) {
      expect(existsSync(join(copy, "subgraphs/scratch", file)), file).toBe(true);
    }
    expect(readFileSync(join(copy, "supergraph.graphql"), "utf8")).toContain('SCRATCH @join__graph(name: "scratch", url: "http://127.0.0.1:8090/graphql")');
    expect(readFileSync(join(copy, "docker-compose.yml"), "utf8")).toContain('command: ["node", "dist/subgraphs/scratch/src/index.js"]');
    expect(readFileSync(join(copy, "README.md"), "utf8")).toContain("| `SCRATCH_PORT` | `8090` |");

    // The types of what the scaffold wrote and edited, and of all they import (not of every test).
    writeFileSync(
      join(copy, "tsconfig.scaffold.json"),
      JSON.stringify({ extends: "./tsconfig.json", include: ["subgraphs/scratch/**/*.ts", "lib/config.ts", "lib/config/**/*.ts", "test/globalSetup.ts"] }),
    );
    await execFile(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", "tsconfig.scaffold.json"], { cwd: copy });

    // Its first migration gives it its own schema.
    await npmRun(copy, ["db:migrate"], { DATABASE_URL: database.url });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query("SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'scratch'");
    await client.end();
    expect(rows).toEqual([{ schema_name: "scratch" }]);

    // Auth, the new subgraph and a gateway, from the copy, as `npm start` runs them.
    const privateKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const env = {
      DATABASE_URL: database.url,
      REDIS_PREFIX: `new-subgraph-${randomBytes(3).toString("hex")}:`,
      JWT_PRIVATE_KEY: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    };
    const start = async (name: string, extra: Record<string, string> = {}) => {
      const service = await startService(name, { ...env, ...extra }, { root: copy });
      services.push(service);
      return service;
    };
    const auth = await start("auth");
    const scratch = await start("scratch", { AUTH_URL: auth.url });
    const gateway = await start("gateway", { AUTH_URL: auth.url, SCRATCH_URL: scratch.url });

    const token = signAccessToken(
      { id: "0b7c5f5e-7c36-4d1c-9d0e-5f8f3b1d2a10", email: "viewer@example.com", roles: ["VIEWER"] },
      { privateKey, kid: keyId(createPublicKey(privateKey)), issuer: "batch-supergraph-auth", audience: "batch-supergraph", ttlSeconds: 60 },
    );
    const answer = await graphql(gateway.url, "{ scratchService { name answeredAt } }", {}, token);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ scratchService: { name: "scratch", answeredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } });
  });
});
