/**
 * `npm run bench:gateway`: our gateway against its peers, in one run, over the same subgraphs.
 *
 * It builds the product (`npm run build`), installs the peers in this folder when they are
 * missing (`bench/gateway/package.json`, never the product's dependencies), makes a database of
 * its own with realistic data (600 batches with histories, 8 creators, a pool of PLANNED
 * batches for writes), starts auth, user and production compiled with `NODE_ENV=production`,
 * then, one gateway at a time over those subgraphs: ours, bare `@apollo/gateway`, Hive Gateway
 * (JS planner) and Hive Gateway with the Rust planner. `ours-traced`, measured last, is ours with
 * tracing on (every request sampled, `OTEL_TRACES_SAMPLER_ARG=1`, unless `BENCH_TRACING_RATIO`
 * says otherwise) over a set of our subgraphs traced alike that replaces the first, exporting to
 * an OTLP receiver in this process: the cost of tracing, beside `ours` (off). For each query
 * shape it prints requests/s, p50/p99 latency, CPU ms per request of the gateway and of each
 * subgraph (from `/proc`) and the gateway's RSS, then how CPU per request grows with page size
 * and connections. Figures go to `bench/gateway/results.json` too.
 *
 * Variables: `BENCH_DURATION` (seconds per measurement, default 10), `BENCH_CONNECTIONS`
 * (default 20), `BENCH_GATEWAYS` (comma-separated subset of ours,ours-traced,apollo,hive,hive-rust),
 * `BENCH_SHAPES` (comma-separated subset of dashboard,batch,me,write), `BENCH_TRACING_RATIO` (the
 * share of requests `ours-traced` samples, default 1), `BENCH_SCALING=0` to skip
 * the growth table, `BENCH_SKIP_BUILD=1` to reuse `dist/`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient } from "../../scripts/database.js";
import { startOtlpReceiver } from "../../test/support/otlpReceiver.js";
import { buildProduct } from "../support/build.js";
import { openBenchRun } from "../support/run.js";
import { seedBenchData } from "./data.js";
import { measure, type Measurement } from "./load.js";
import { HERE, ROOT, startApolloGateway, startHiveGateway, startOurService, type BenchProcess } from "./processes.js";

const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 20);
// `ours-traced` runs last, over subgraphs of its own once the others are stopped: two sets on one
// database, outbox relay and event queue slowed each other's writes by a third.
const GATEWAYS = (process.env.BENCH_GATEWAYS || "ours,ours-traced,apollo,hive,hive-rust")
  .split(",")
  .sort((a, b) => Number(a === "ours-traced") - Number(b === "ours-traced"));

const SHAPES = {
  dashboard: /* GraphQL */ `{ batches(first: 50) { edges { node { id batchNumber status createdBy { name email } } } } }`,
  batch: /* GraphQL */ `query Batch($id: ID!) { batch(id: $id) { id batchNumber status history { toStatus changedBy { name } } } }`,
  me: /* GraphQL */ `{ me { id email name roles } }`,
  write: /* GraphQL */ `mutation Start($id: ID!) { changeBatchStatus(id: $id, status: IN_PROGRESS) { id status version } }`,
};
type Shape = keyof typeof SHAPES;
const MEASURED = (process.env.BENCH_SHAPES || Object.keys(SHAPES).join(",")).split(",") as Shape[];
for (const shape of MEASURED) if (!Object.hasOwn(SHAPES, shape)) throw new Error(`BENCH_SHAPES: no shape ${shape} (${Object.keys(SHAPES).join(", ")})`);

if (!existsSync(join(HERE, "node_modules/@graphql-hive/gateway"))) {
  console.log("installing the peers in bench/gateway …");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: HERE, stdio: "inherit" });
}
buildProduct();

// Tracing on: every request sampled, spans exported over OTLP/HTTP to a receiver that counts them.
const sink = GATEWAYS.includes("ours-traced") ? await startOtlpReceiver({ keep: false }) : undefined;
const run = await openBenchRun();
const { env, started } = run;

try {
  const data = await seedBenchData(run.databaseUrl);
  const tokens = { viewer: run.sign(data.viewer, ["VIEWER"]), production: run.sign(data.production, ["PRODUCTION"]) };
  const { auth, user, production, qa } = await run.startSubgraphs();
  const subgraphs = [auth, user, production];
  /** Stops processes of the run before its end. */
  const stop = async (processes: BenchProcess[]) => {
    for (const process_ of processes) {
      await process_.stop();
      started.splice(started.indexOf(process_), 1);
    }
  };

  /** The composed supergraph, routed to one set of subgraphs (`urls` by name), in a file of its own. */
  const supergraphFor = (urls: Record<string, string>, name: string) => {
    const path = join(tmpdir(), `bench-supergraph-${run.tag}-${name}.graphql`);
    writeFileSync(
      path,
      readFileSync(join(ROOT, "supergraph.graphql"), "utf8").replace(/join__graph\(name: "(\w+)", url: "[^"]*"\)/g, (whole, graph: string) =>
        urls[graph] ? `join__graph(name: "${graph}", url: "${urls[graph]}/graphql")` : whole,
      ),
    );
    return path;
  };
  const supergraphPath = supergraphFor({ auth: auth.url, user: user.url, production: production.url, qa: qa.url }, "main");

  /** Our gateway on `serviceEnv` (the subgraphs' URLs included). */
  const ourGateway = (serviceEnv: Record<string, string>, supergraph: string) =>
    startOurService("gateway", {
      ...serviceEnv,
      SUPERGRAPH_PATH: supergraph,
      // The hardening stays on; the limits are set above what the bench sends.
      RATE_LIMIT_USER: "1000000",
      RATE_LIMIT_ANONYMOUS: "1000000",
    });

  let tracedRequests = 0;

  /** A gateway to measure, the subgraphs whose CPU counts for it, and what to stop after it besides the gateway. */
  type Under = { gateway: BenchProcess; subgraphs: BenchProcess[]; stopWith?: BenchProcess[] };
  const overOurSubgraphs = async (gateway: Promise<BenchProcess>): Promise<Under> => ({ gateway: await gateway, subgraphs });
  const gatewayStarters: Record<string, () => Promise<Under>> = {
    ours: () => overOurSubgraphs(ourGateway(env, supergraphPath)),
    "ours-traced": async () => {
      await stop([...subgraphs, qa]);
      const tracedEnv = { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: sink!.url, OTEL_TRACES_SAMPLER_ARG: process.env.BENCH_TRACING_RATIO || "1" };
      const set = await run.startSubgraphs(tracedEnv);
      const gateway = await ourGateway(
        tracedEnv,
        supergraphFor({ auth: set.auth.url, user: set.user.url, production: set.production.url, qa: set.qa.url }, "traced"),
      );
      const traced = [set.auth, set.user, set.production];
      return { gateway, subgraphs: traced, stopWith: [...traced, set.qa] };
    },
    apollo: () => overOurSubgraphs(startApolloGateway(supergraphPath)),
    hive: () => overOurSubgraphs(startHiveGateway(supergraphPath, false)),
    "hive-rust": () => overOurSubgraphs(startHiveGateway(supergraphPath, true)),
  };

  let nextPlanned = 0;
  const body = (shape: Shape, variables: Record<string, unknown> = {}) => JSON.stringify({ query: SHAPES[shape], variables });
  const loads: Record<Shape, () => { body?: string; next?: () => string; token: string }> = {
    dashboard: () => ({ body: body("dashboard"), token: tokens.viewer }),
    batch: () => ({ body: body("batch", { id: data.batchId }), token: tokens.viewer }),
    me: () => ({ body: body("me"), token: tokens.viewer }),
    write: () => ({ next: () => body("write", { id: data.plannedIds[nextPlanned++ % data.plannedIds.length] }), token: tokens.production }),
  };

  const results: Record<string, Record<string, Measurement & { writesApplied?: number }>> = {};
  const scaling: Record<string, Record<string, Measurement>> = {};
  let reference: Record<string, unknown> | undefined;
  for (const name of GATEWAYS) {
    const under = await gatewayStarters[name]!();
    const { gateway } = under;
    started.push(gateway);
    // Every gateway must give the same answers before its speed means anything.
    const answers = await firstAnswers(gateway.url, data.batchId, tokens.viewer);
    reference ??= answers;
    if (JSON.stringify(answers) !== JSON.stringify(reference)) {
      throw new Error(`${name} answers differently from ${GATEWAYS[0]}:\n${JSON.stringify(answers).slice(0, 2_000)}`);
    }
    // Warm-up, unmeasured: every measured shape, so that V8 optimising this gateway's and the
    // subgraphs' code for it lands in no measurement. With the dashboard alone, the first gateway
    // measured paid for the subgraphs' write path: ours 318 writes/s measured first, 429 after
    // bare Apollo (395) in the same run. Each shape runs with one connection too: under many, the
    // gateways that merge identical queries let few of them reach the subgraphs.
    for (const shape of MEASURED) {
      for (const connections of new Set([CONNECTIONS, 1])) await measure(gateway, under.subgraphs, { ...loads[shape](), connections, durationSeconds: 2 });
    }
    results[name] = {};
    for (const shape of MEASURED) {
      const before = shape === "write" ? await startedCount(run.databaseUrl) : 0;
      const m = await measure(gateway, under.subgraphs, { ...loads[shape](), connections: CONNECTIONS, durationSeconds: DURATION });
      results[name]![shape] = shape === "write" ? { ...m, writesApplied: (await startedCount(run.databaseUrl)) - before } : m;
      console.log(`${name.padEnd(11)} ${shape.padEnd(10)} ${line(m)}`);
      if (name === "ours-traced") tracedRequests += m.requests;
    }
    // How work grows is measured untraced.
    if (process.env.BENCH_SCALING !== "0" && name !== "ours-traced") {
      scaling[name] = {};
      for (const first of [10, 50, 100]) {
        for (const connections of [1, 20, 100]) {
          const query = SHAPES.dashboard.replace("first: 50", `first: ${first}`);
          const load = { body: JSON.stringify({ query }), token: tokens.viewer, connections };
          // Each case runs twice, measured the second time: a load's first seconds cost more
          // (with one connection, after 20: the subgraphs at 4.0 ms per request over the first
          // 5 s, 3.3 over the next 5, then 2.2; a 2-second warm-up still left 3.1 to the first case).
          const durationSeconds = Math.max(3, DURATION / 2);
          await measure(gateway, under.subgraphs, { ...load, durationSeconds });
          const m = await measure(gateway, under.subgraphs, { ...load, durationSeconds });
          scaling[name]![`${first} rows, ${connections} conn`] = m;
        }
      }
    }
    // The traced subgraphs too: stopping flushes what they still hold.
    await stop([gateway, ...(under.stopWith ?? [])]);
  }
  // Each traced request's spans, measured and warm-up requests alike (the receiver counts every export).
  const tracing = sink && { spansReceived: sink.count, measuredRequests: tracedRequests };
  if (tracing) console.log(`\nours-traced: ${tracing.spansReceived} spans exported for ${tracing.measuredRequests} measured requests (and the warm-up's)`);

  printTables(results, scaling);
  writeFileSync(
    join(HERE, "results.json"),
    `${JSON.stringify({ ranAt: new Date().toISOString(), machine: machine(), durationSeconds: DURATION, connections: CONNECTIONS, results, scaling, tracing }, null, 2)}\n`,
  );
  console.log("\nwritten to bench/gateway/results.json");
} finally {
  await run.close();
  await sink?.stop();
}

/**
 * The answers of a gateway just started: its first calls pay for cold code paths and key
 * fetches on a loaded machine, so an unavailable subgraph is asked again, three times at most.
 */
async function firstAnswers(url: string, batchId: string, token: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sameAnswers(url, batchId, token);
    } catch (err) {
      if (attempt === 3 || !String(err).includes("SERVICE_UNAVAILABLE")) throw err;
    }
  }
}

/** The answers of the read shapes, compared across gateways. */
async function sameAnswers(url: string, batchId: string, token: string) {
  const answers: Record<string, unknown> = {};
  for (const [shape, variables] of [
    ["dashboard", {}],
    ["batch", { id: batchId }],
    ["me", {}],
  ] as const) {
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: SHAPES[shape], variables }),
    });
    const result = (await response.json()) as { data?: unknown; errors?: unknown };
    if (!response.ok || result.errors) throw new Error(`${url} ${shape}: HTTP ${response.status} ${JSON.stringify(result).slice(0, 1_000)}`);
    answers[shape] = result.data;
  }
  return answers;
}

/** How many batches of the write pool have been started so far. */
function startedCount(url: string): Promise<number> {
  return withClient(url, async (db) =>
    Number((await db.query(`SELECT count(*) AS n FROM production.batches WHERE batch_number LIKE 'PLAN-%' AND status <> 'PLANNED'`)).rows[0].n),
  );
}

function line(m: Measurement): string {
  const subgraphs = Object.values(m.subgraphCpuMs).reduce((a, b) => a + b, 0);
  return (
    `${String(m.requestsPerSecond).padStart(8)} req/s  p50 ${String(m.p50).padStart(4)} ms  p99 ${String(m.p99).padStart(5)} ms  ` +
    `gateway ${m.gatewayCpuMs.toFixed(2).padStart(6)} ms  subgraphs ${subgraphs.toFixed(2).padStart(6)} ms  RSS ${m.gatewayRssMiB} MiB${m.failed ? `  FAILED ${m.failed}` : ""}`
  );
}

function printTables(results: Record<string, Record<string, Measurement & { writesApplied?: number }>>, scaling: Record<string, Record<string, Measurement>>) {
  const rows = [["shape", "gateway", "req/s", "p50 ms", "p99 ms", "gw CPU ms/req", "auth", "user", "production", "RSS MiB", "ours ÷ this", "failed"]];
  for (const shape of MEASURED) {
    const ours = results.ours?.[shape]?.requestsPerSecond;
    for (const [name, byShape] of Object.entries(results)) {
      const m = byShape[shape]!;
      const failed = m.failed + (m.writesApplied !== undefined ? Math.max(0, m.requests - m.writesApplied) : 0);
      rows.push([
        shape,
        name,
        String(m.requestsPerSecond),
        String(m.p50),
        String(m.p99),
        m.gatewayCpuMs.toFixed(2),
        ...["auth", "user", "production"].map((s) => (m.subgraphCpuMs[s] ?? 0).toFixed(2)),
        String(m.gatewayRssMiB),
        ours ? `${(ours / m.requestsPerSecond).toFixed(2)}×` : "",
        String(failed),
      ]);
    }
  }
  console.log(`\n${table(rows)}`);
  if (Object.keys(scaling).length === 0) return;
  const cases = Object.keys(Object.values(scaling)[0]!);
  const growth = [["dashboard", ...Object.keys(scaling).flatMap((name) => [`${name} req/s`, `${name} gw+sub CPU ms`])]];
  for (const key of cases) {
    growth.push([
      key,
      ...Object.values(scaling).flatMap((byCase) => {
        const m = byCase[key]!;
        return [String(m.requestsPerSecond), (m.gatewayCpuMs + Object.values(m.subgraphCpuMs).reduce((a, b) => a + b, 0)).toFixed(2)];
      }),
    ]);
  }
  console.log(`\n${table(growth)}`);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const format = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [format(rows[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(format)].join("\n");
}

function machine() {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
  return { cpu, cores: Number(execFileSync("nproc").toString().trim()), node: process.version };
}
