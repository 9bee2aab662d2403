import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cloneTestDatabase } from "./support/database.js";
import { graphql } from "./support/graphql.js";
import { login } from "./support/login.js";
import { seedStack } from "./support/seed.js";
import { startStack, type Stack } from "./support/stack.js";

/**
 * The compiled build (`npm run build`, what the Docker image and the benchmarks run) starts in
 * production mode and serves the frontend's dashboard query through the gateway.
 */
const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), "batch-supergraph-build-"));
let stack: Stack;
let database: Awaited<ReturnType<typeof cloneTestDatabase>>;

beforeAll(async () => {
  await run(process.execPath, ["--import", "tsx", "scripts/build.ts", out]);
  // Outside the project, the compiled modules find their packages through a link, as in the image.
  symlinkSync(join(process.cwd(), "node_modules"), join(out, "node_modules"), "dir");
  // A database of its own: the production seed never changes the password of an admin another test seeded.
  database = await cloneTestDatabase();
  stack = await startStack({
    compiled: out,
    databaseUrl: database.url,
    env: { NODE_ENV: "production", ADMIN_PASSWORD: "a-long-admin-passphrase-for-the-build" },
  });
  await seedStack(stack);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await database?.drop();
  rmSync(out, { recursive: true, force: true });
});

it("serves the dashboard query from the compiled build in production mode", async () => {
  const token = await login(stack.gateway.url, "admin@example.com", "a-long-admin-passphrase-for-the-build");
  const created = await graphql(
    stack.gateway.url,
    `mutation($n: String!) { createBatch(input: { batchNumber: $n, productCode: "BUILD-1", productName: "Build check", plannedQuantity: 10, unit: "kg" }) { id } }`,
    { n: `BUILD-${Date.now()}` },
    token,
  );
  expect(created.errors).toBeUndefined();
  const result = await graphql(stack.gateway.url, `{ batches(first: 50) { edges { node { id batchNumber status createdBy { name email } } } } }`, {}, token);
  expect(result.errors).toBeUndefined();
  const nodes = result.data!.batches.edges.map((e: { node: unknown }) => e.node);
  expect(nodes).toContainEqual(
    expect.objectContaining({ id: created.data!.createBatch.id, status: "PLANNED", createdBy: expect.objectContaining({ email: "admin@example.com" }) }),
  );
  // Production mode: no Sandbox, no introspection.
  const introspection = await graphql(stack.gateway.url, `{ __schema { types { name } } }`, {}, token);
  expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
});
