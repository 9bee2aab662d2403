/**
 * One measurement: autocannon drives a fixed load at a gateway while the CPU time of the
 * gateway (with any workers it forked) and of each subgraph is read from `/proc` before and
 * after, so the figures are CPU milliseconds per request, steadier than requests per second on
 * a shared machine.
 */
import { createRequire } from "node:module";
import { cpuMs, treeRssMiB } from "../support/stats.js";
import type { BenchProcess } from "./processes.js";

// autocannon is a peer of the bench, installed in this folder only, by the bench itself on its
// first run: loaded when first used, after that install, not when this module is imported.
const autocannon = (options: Record<string, unknown>) =>
  (createRequire(import.meta.url)("autocannon") as (options: Record<string, unknown>) => Promise<AutocannonResult>)(options);

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** What a load sends: a fixed body, or one made per request (writes that each need their own batch). */
export interface Load {
  body?: string;
  next?: () => string;
  token: string;
  connections: number;
  durationSeconds: number;
}

export interface Measurement {
  requestsPerSecond: number;
  requests: number;
  p50: number;
  p99: number;
  failed: number;
  /** CPU ms per request: the gateway's, and each subgraph's by name. */
  gatewayCpuMs: number;
  subgraphCpuMs: Record<string, number>;
  gatewayRssMiB: number;
}

export async function measure(gateway: BenchProcess, subgraphs: BenchProcess[], load: Load): Promise<Measurement> {
  const processes = [gateway, ...subgraphs];
  const before = await Promise.all(processes.map((p) => cpuMs(p.pid)));
  const result = await autocannon({
    url: `${gateway.url}/graphql`,
    connections: load.connections,
    duration: load.durationSeconds,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${load.token}` },
    ...(load.next ? { requests: [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, body: load.next!() }) }] } : { body: load.body }),
  });
  const after = await Promise.all(processes.map((p) => cpuMs(p.pid)));
  const requests = Math.max(1, result.requests.total);
  const perRequest = (i: number) => round((after[i]! - before[i]!) / requests, 2);
  return {
    requestsPerSecond: round(result.requests.average, 1),
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
    gatewayCpuMs: perRequest(0),
    subgraphCpuMs: Object.fromEntries(subgraphs.map((s, i) => [s.name, perRequest(i + 1)])),
    gatewayRssMiB: await treeRssMiB(gateway.pid),
  };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
