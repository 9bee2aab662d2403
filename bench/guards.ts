/**
 * What the gateway's guards cost per request: the operation-limit validation rules on a real
 * frontend query, and one rate-limit count in Redis. Prints figures; asserts nothing.
 *
 *   npm run bench:guards
 */
import { performance } from "node:perf_hooks";
import { Supergraph } from "@apollo/federation-internals";
import { parse, specifiedRules, validate } from "graphql";
import { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { readBackingServices, readOperationLimits } from "#lib/config.js";
import { operationGuards } from "#lib/server/operationLimits.js";
import { readSupergraphSdl } from "../gateway/src/supergraph.js";
import { DASHBOARD_QUERY } from "../test/support/queries.js";

function time(label: string, runs: number, body: () => unknown) {
  for (let i = 0; i < Math.min(1_000, runs); i++) body();
  const start = performance.now();
  for (let i = 0; i < runs; i++) body();
  const micros = ((performance.now() - start) * 1_000) / runs;
  console.log(`${label.padEnd(48)} ${micros.toFixed(1).padStart(8)} µs`);
  return micros;
}

const schema = Supergraph.build(readSupergraphSdl("supergraph.graphql")).apiSchema().toGraphQLJSSchema();
const document = parse(DASHBOARD_QUERY);
const { validationRules } = operationGuards(readOperationLimits({}));
const base = time("graphql-js validation (specified rules)", 5_000, () => validate(schema, document, specifiedRules));
const guarded = time("  + depth, aliases, directives, cost, root fields", 5_000, () => validate(schema, document, [...specifiedRules, ...validationRules]));
console.log(`${"operation limits add".padEnd(48)} ${(guarded - base).toFixed(1).padStart(8)} µs`);
time("parse with the token limit", 5_000, () => parse(DASHBOARD_QUERY, { maxTokens: 1000 }));

const redis = new Redis(readBackingServices().redisUrl);
const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `bench:${process.pid}:rate`, points: 1e9, duration: 60 });
const runs = 2_000;
const start = performance.now();
for (let i = 0; i < runs; i++) await limiter.consume("bench");
console.log(`${"rate-limit count in Redis (sequential round trip)".padEnd(48)} ${(((performance.now() - start) * 1_000) / runs).toFixed(1).padStart(8)} µs`);
await limiter.delete("bench");
redis.disconnect();
