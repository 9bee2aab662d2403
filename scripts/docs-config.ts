/**
 * `npm run docs:config`: writes the README's Configuration table from the registry of variables
 * (`lib/config/registry.ts`). A unit test (`lib/config/registry.test.ts`) fails while it is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { VARIABLES } from "#lib/config/registry.js";
import { configurationTable, withTable } from "#lib/config/table.js";

const README = fileURLToPath(new URL("../README.md", import.meta.url));
const before = readFileSync(README, "utf8");
const after = withTable(before, configurationTable(VARIABLES));
if (after !== before) writeFileSync(README, after);
console.log(after === before ? "README.md: configuration table up to date" : "README.md: configuration table written");
