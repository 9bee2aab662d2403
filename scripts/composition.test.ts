import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Supergraph } from "@apollo/federation-internals";
import { readSupergraphSdl } from "../gateway/src/supergraph.js";
import { composeSupergraph, writeOrCheckSupergraph } from "./composition.js";

const root = (file: string) => fileURLToPath(new URL(`../${file}`, import.meta.url));
const CONFIG = root("supergraph.yaml");
const SUPERGRAPH = root("supergraph.graphql");
const quiet = () => undefined;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "compose-test-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A supergraph.yaml in the temporary folder listing `subgraphs` (name -> SDL file). */
async function config(subgraphs: Record<string, string>, version = "=2.14.4"): Promise<string> {
  const entries = Object.entries(subgraphs).map(
    ([name, file]) => `  ${name}:\n    routing_url: http://127.0.0.1:9999/graphql\n    schema:\n      file: ${file}\n`,
  );
  const file = path.join(dir, `supergraph-${Object.keys(subgraphs).join("-")}.yaml`);
  await writeFile(file, `federation_version: ${version}\nsubgraphs:\n${entries.join("")}`);
  return file;
}

describe("compose --check", () => {
  it("passes on the checked-in supergraph.yaml and supergraph.graphql", async () => {
    await expect(writeOrCheckSupergraph(CONFIG, SUPERGRAPH, true, quiet)).resolves.toBeUndefined();
  });

  it("fails on a modified copy of supergraph.graphql, and compose rewrites it", async () => {
    const copy = path.join(dir, "supergraph.graphql");
    await writeFile(copy, `${await readFile(SUPERGRAPH, "utf8")}\nscalar Stale\n`);
    await expect(writeOrCheckSupergraph(CONFIG, copy, true, quiet)).rejects.toThrow("supergraph.graphql is stale: run npm run compose");
    await writeOrCheckSupergraph(CONFIG, copy, false, quiet);
    expect(await readFile(copy, "utf8")).toBe(await readFile(SUPERGRAPH, "utf8"));
  });

  it("fails when a subgraph's SDL changed since the supergraph was composed", async () => {
    const sdl = path.join(dir, "production.graphql");
    await writeFile(sdl, `${await readFile(root("subgraphs/production/schema.graphql"), "utf8")}\n"Added."\nscalar Added\n`);
    const changed = (await readFile(CONFIG, "utf8")).replace("./subgraphs/production/schema.graphql", sdl);
    const changedConfig = path.join(dir, "changed.yaml");
    await writeFile(changedConfig, changed.replaceAll("./subgraphs/", `${root("subgraphs")}/`));
    await expect(writeOrCheckSupergraph(changedConfig, SUPERGRAPH, true, quiet)).rejects.toThrow("is stale");
  });
});

describe("composition", () => {
  it("reports errors with their code and the subgraphs involved", async () => {
    // Two copies of one subgraph: every field is defined twice.
    const sdl = await readFile(root("subgraphs/production/schema.graphql"), "utf8");
    await Promise.all(["one", "two"].map((name) => writeFile(path.join(dir, `${name}.graphql`), sdl)));
    const result = await composeSupergraph(await config({ one: "one.graphql", two: "two.graphql" }));
    expect(result.ok).toBe(false);
    const [error] = result.ok ? [] : result.errors;
    expect(error).toMatch(/^INVALID_FIELD_SHARING \(one \S*one\.graphql:\d+:\d+; two \S*two\.graphql:\d+:\d+\): Non-shareable field/);
  });

  it("refuses a federation_version other than the installed composition", async () => {
    const file = await config({ production: root("subgraphs/production/schema.graphql") }, "=2.9.0");
    await expect(composeSupergraph(file)).rejects.toThrow(
      'supergraph.yaml: federation_version is "=2.9.0" but @apollo/composition 2.14.4 is installed: set it to =2.14.4',
    );
  });

  it("keeps @inaccessible fields out of the API schema the gateway serves: confirmSignature is for services only", async () => {
    // Read and built as the gateway does (its supported features include @inaccessible).
    const supergraph = Supergraph.build(readSupergraphSdl(SUPERGRAPH));
    expect(supergraph.schema.schemaDefinition.rootType("mutation")?.field("confirmSignature")).toBeDefined();
    const api = supergraph.apiSchema().toGraphQLJSSchema();
    expect(api.getMutationType()?.getFields()).not.toHaveProperty("confirmSignature");
    expect(api.getMutationType()?.getFields()).toHaveProperty("login");
    expect(api.getType("SignatureConfirmation")).toBeUndefined();
  });
});
