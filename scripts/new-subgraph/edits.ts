import { ScriptError } from "../script.js";
import type { SubgraphNames } from "./names.js";

/**
 * One change to a file the project already has: where a new subgraph joins a list. Each edit
 * finds its place by the shape of the code around it and fails with the file's name when that
 * shape changed, so that a reorganisation breaks `npm run new:subgraph`'s test, not a user's run.
 */
export interface FileEdit {
  path: string;
  /** What the edit adds, for the summary. */
  what: string;
  apply(text: string): string;
}

/** Inserts `addition` before the first match of `anchor` (after the match with `after`). */
function insert(path: string, text: string, anchor: RegExp, addition: string, { after = false } = {}): string {
  const match = anchor.exec(text);
  if (!match) throw new ScriptError(`${path}: cannot find where to add the subgraph (${anchor}); was the file reorganised?`);
  const at = after ? match.index + match[0].length : match.index;
  return text.slice(0, at) + addition + text.slice(at);
}

/** Index of the end of the last line matching `line` (a regular expression with the `gm` flags). */
function afterLastLine(path: string, text: string, line: RegExp): number {
  const matches = [...text.matchAll(line)];
  const last = matches.at(-1);
  if (last?.index === undefined) throw new ScriptError(`${path}: cannot find where to add the subgraph (${line}); was the file reorganised?`);
  return last.index + last[0].length;
}

const at = (text: string, index: number, addition: string) => text.slice(0, index) + addition + text.slice(index);

/** The edits that make subgraph `names` part of the project, by file. */
export function subgraphEdits({ name, pascal, upper, port }: SubgraphNames): FileEdit[] {
  return [
    {
      path: "lib/config/subgraphNames.ts",
      what: `"${name}" in SUBGRAPH_NAMES`,
      apply: (text) => insert("lib/config/subgraphNames.ts", text, /\] as const;/, `, "${name}"`),
    },
    {
      path: "lib/config/variables/services.ts",
      what: `${upper}_PORT, ${upper}_URL`,
      apply(text) {
        const path = "lib/config/variables/services.ts";
        let out = at(
          text,
          afterLastLine(path, text, /^export const \w+_PORT = port\(.*\);$/gm),
          `\nexport const ${upper}_PORT = port("${upper}_PORT", "${name}", "the ${name} subgraph", ${port});`,
        );
        out = at(
          out,
          afterLastLine(path, out, /^export const \w+_URL = serviceUrl\(".*\);$/gm),
          `\nexport const ${upper}_URL = serviceUrl("${upper}_URL", "where the gateway reaches the ${name} subgraph", ["gateway"], ${port});`,
        );
        out = insert(path, out, /\} as const satisfies Record<ServiceName/, `  ${name}: ${upper}_PORT,\n`);
        return insert(path, out, /\} as const satisfies Record<SubgraphName/, `  ${name}: ${upper}_URL,\n`);
      },
    },
    {
      path: "lib/config/subgraphs.ts",
      what: `${pascal}Config, read${pascal}Config`,
      apply: (text) =>
        `${text.trimEnd()}

export interface ${pascal}Config extends SubgraphConfig {
  /** \`AUTH_URL\`: the JWKS. */
  authUrl: string;
}

export const read${pascal}Config = (env: Env): ${pascal}Config => ({ ...readSubgraphConfig("${name}", env), authUrl: AUTH_URL.read(env) });
`,
    },
    {
      path: "lib/config.ts",
      what: `ConfigOf["${name}"]`,
      apply(text) {
        const path = "lib/config.ts";
        const out = insert(path, text, /\}\n\nconst READERS/, `  ${name}: subgraphs.${pascal}Config;\n`);
        return insert(path, out, /\};\n\n\/\*\* The configuration of service/, `  ${name}: subgraphs.read${pascal}Config,\n`);
      },
    },
    {
      path: "codegen.ts",
      what: `resolver types of subgraphs/${name}`,
      apply: (text) => insert("codegen.ts", text, / {2}\},\n\};\n\nexport default config;/, `    ...subgraph("${name}", "../context.js#${pascal}Context"),\n`),
    },
    {
      path: "supergraph.yaml",
      what: `subgraph ${name}`,
      apply: (text) =>
        `${text.trimEnd()}\n  ${name}:\n    routing_url: http://127.0.0.1:${port}/graphql\n    schema:\n      file: ./subgraphs/${name}/schema.graphql\n`,
    },
    {
      path: "prisma/schema.prisma",
      what: `schema "${name}"`,
      apply(text) {
        const out = insert("prisma/schema.prisma", text, /\]\n\}/, `, "${name}"`);
        return `${out.trimEnd()}

// ---------------------------------------------------------------- ${name} (${name} subgraph)
// The ${name} subgraph's models go here, each with \`@@schema("${name}")\`; then
// \`npm run prisma -- migrate diff\` writes their migration (README, "Database").
`;
      },
    },
    {
      path: "docker-compose.yml",
      what: `service ${name}, ${upper}_URL`,
      apply(text) {
        const path = "docker-compose.yml";
        let out = at(text, afterLastLine(path, text, /^ {4}[A-Z]+_URL: http:\/\/[a-z0-9]+:\d+$/gm), `\n    ${upper}_URL: http://${name}:${port}`);
        out = insert(
          path,
          out,
          /^ {2}gateway:\n/m,
          `  ${name}:
    <<: *app
    command: ["node", "dist/subgraphs/${name}/src/index.js"]
    environment: *subgraph-env
    depends_on: *after-prepare
    healthcheck:
      <<: *health
      test: ["CMD", "node", "-e", "fetch('http://127.0.0.1:${port}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

`,
        );
        const gateway = out.search(/^ {2}gateway:\n/m);
        const health = out.indexOf("\n    healthcheck:", gateway);
        if (health < 0) throw new ScriptError(`${path}: the gateway service has no healthcheck to add the dependency before; was the file reorganised?`);
        return at(out, health, `\n      ${name}:\n        condition: service_healthy`);
      },
    },
    {
      path: "observability/prometheus/prometheus.yml",
      what: `scrape target ${name}:${port}`,
      apply(text) {
        const end = afterLastLine("observability/prometheus/prometheus.yml", text, /^ {8}labels: \{ service: [a-z0-9]+ \}$/gm);
        return at(text, end, `\n      - targets: ["${name}:${port}"]\n        labels: { service: ${name} }`);
      },
    },
    {
      path: "README.md",
      what: "a row of the services table",
      apply(text) {
        const end = afterLastLine("README.md", text, /^\| \*\*[a-z0-9]+\*\* \| \d+ \|.*\|$/gm);
        return at(text, end, `\n| **${name}** | ${port} | schema \`${name}\` | \`${name}Service\` |`);
      },
    },
  ];
}

/** The first migration of the new subgraph: its own PostgreSQL schema. */
export function schemaMigration({ name }: SubgraphNames, now = new Date()): { path: string; text: string } {
  const stamp = now.toISOString().replace(/\D/g, "").slice(0, 14);
  return {
    path: `prisma/migrations/${stamp}_${name}_schema/migration.sql`,
    text: `-- The ${name} subgraph's own schema (\`npm run new:subgraph\`). It writes only here.\nCREATE SCHEMA IF NOT EXISTS "${name}";\n`,
  };
}
