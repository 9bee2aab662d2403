import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { parse as parseYaml } from "yaml";
import type { Role } from "#lib/auth/scopes.js";
import { graphql } from "../support/graphql.js";
import { startInProcessStack, type InProcessService, type InProcessStack } from "../support/inProcessStack.js";
import { expectRestError, rest, restError } from "../support/rest.js";

/**
 * The perimeter of every service: what a caller who reaches a port (the gateway's, or a
 * subgraph's directly) can do before any resolver runs. Each test replays one attack of the
 * security report.
 */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const LIMIT = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOO_MANY = { message: "Too many requests, retry later", extensions: { code: "TOO_MANY_REQUESTS", retryAfter: expect.any(Number) } };
const ENTITIES_ANONYMOUS = {
  message: "Authentication required: _entities and _service answer only calls with a valid bearer token",
  extensions: { code: "UNAUTHENTICATED" },
};

/** A client address of its own for each caller (TEST-NET-2), so per-IP counters never meet. */
const uniqueIp = () => `198.51.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;

const subgraphs = (stack: InProcessStack): InProcessService[] => [stack.auth, stack.user, stack.production];
const services = (stack: InProcessStack): InProcessService[] => [stack.gateway, ...subgraphs(stack)];

/** A token for a new user that exists only in the token (per-user counters start at zero). */
const tokenForNew = (stack: InProcessStack, roles: Role[] = ["VIEWER"]) =>
  stack.tokenFor({ id: randomUUID(), email: `perimeter-${randomUUID()}@example.com`, roles });

const call = (url: string, query: string, options: { variables?: Record<string, unknown>; token?: string; headers?: Record<string, string> } = {}) =>
  graphql(url, query, options.variables ?? {}, options.token, options.headers ?? {});

/** Statuses of `count` calls sent at once. */
const statuses = async (calls: Array<Promise<{ status: number }>>) => (await Promise.all(calls)).map((r) => r.status);

// The development stack: low subgraph limits, generous gateway limits (the subgraphs' are under test).
let dev: InProcessStack;
// A stack whose subgraphs trust no proxy on loopback, with a small body limit and a metrics token.
let guarded: InProcessStack;
// A production stack without METRICS_TOKEN.
let prod: InProcessStack;
const METRICS_TOKEN = `metrics-${randomBytes(16).toString("hex")}`;

describe("every service's port", () => {
  beforeAll(async () => {
    const gatewayLimits = { RATE_LIMIT_ANONYMOUS: "100000", RATE_LIMIT_USER: "100000", RATE_LIMIT_LOGIN: "100000" };
    [dev, guarded, prod] = await Promise.all([
      startInProcessStack({
        events: false,
        env: {
          ...gatewayLimits,
          LOG_LEVEL: "debug",
          TRUST_PROXY: "loopback",
          SUBGRAPH_RATE_LIMIT_ANONYMOUS: String(LIMIT),
          SUBGRAPH_RATE_LIMIT_USER: String(LIMIT),
        },
      }),
      startInProcessStack({
        events: false,
        env: { ...gatewayLimits, TRUST_PROXY: "192.0.2.1", SUBGRAPH_RATE_LIMIT_ANONYMOUS: String(LIMIT), MAX_BODY_BYTES: "4096", METRICS_TOKEN },
      }),
      startInProcessStack({ events: false, env: { ...gatewayLimits, NODE_ENV: "production" } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([dev?.stop(), guarded?.stop(), prod?.stop()]);
  });

  describe("rate limits on the subgraph ports", () => {
    it("a flood of bad logins straight at the auth port is cut off at the per-IP limit with the gateway's 429 answer", async () => {
      const account = await dev.createUser();
      const ip = uniqueIp();
      const login = () =>
        call(dev.auth.url, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`, {
          variables: { e: account.email, p: "wrong-password" },
          headers: { "x-forwarded-for": ip },
        });
      const results = await Promise.all(Array.from({ length: LIMIT + 3 }, login));
      expect(results.filter((r) => r.status === 429)).toHaveLength(3);
      const refused = results.find((r) => r.status === 429)!;
      expect(refused.errors).toEqual([TOO_MANY]);
      expect(refused.data).toBeUndefined();
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(refused.headers.get("ratelimit-limit")).toBe(String(LIMIT));
      expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    });

    it("legacy REST logins straight at the auth port are limited too, answered with the REST error body", async () => {
      const account = await dev.createUser();
      const ip = uniqueIp();
      const login = () =>
        rest(dev.auth.url, "POST", "/api/auth/login", { json: { email: account.email, password: "wrong-password" }, headers: { "x-forwarded-for": ip } });
      for (let i = 0; i < LIMIT; i++) expect((await login()).status).not.toBe(429);
      const refused = await login();
      expectRestError(refused, 429, "TOO_MANY_REQUESTS", "Too many requests, retry later", { retryAfter: expect.any(Number) });
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    });

    it("a signed-in caller flooding a subgraph port is limited per user, wherever it calls from, and other users are not", async () => {
      const token = tokenForNew(dev);
      const me = (t: string) => call(dev.user.url, `{ me { id } }`, { token: t, headers: { "x-forwarded-for": uniqueIp() } });
      expect(await statuses(Array.from({ length: LIMIT }, () => me(token)))).toEqual(Array(LIMIT).fill(200));
      const refused = await me(token);
      expect(refused).toMatchObject({ status: 429, errors: [TOO_MANY] });
      expect((await me(tokenForNew(dev))).status).toBe(200);
    });

    it("the gateway forwards the client's address, so a client spending its quota through the gateway does not spend another's", async () => {
      const [a, b] = [uniqueIp(), uniqueIp()];
      const verify = `{ verifyToken(token: "not-a-token") { valid } }`;
      for (let i = 0; i < LIMIT; i++) {
        const viaGateway = await call(dev.gateway.url, verify, { headers: { "x-forwarded-for": a } });
        expect(viaGateway).toMatchObject({ status: 200, data: { verifyToken: { valid: false } } });
      }
      // The auth subgraph counted those calls under A's address, not under the gateway's.
      expect(await call(dev.auth.url, verify, { headers: { "x-forwarded-for": a } })).toMatchObject({ status: 429, errors: [TOO_MANY] });
      expect(await call(dev.auth.url, verify, { headers: { "x-forwarded-for": b } })).toMatchObject({ status: 200 });
      expect(await call(dev.gateway.url, verify, { headers: { "x-forwarded-for": b } })).toMatchObject({
        status: 200,
        data: { verifyToken: { valid: false } },
      });
    });

    it("X-Forwarded-For from an address outside TRUST_PROXY cannot pick a fresh per-IP counter for each call", async () => {
      const results = await statuses(
        Array.from({ length: LIMIT + 1 }, () => call(guarded.auth.url, `{ __typename }`, { headers: { "x-forwarded-for": uniqueIp() } })),
      );
      expect(results).toContain(429);
    });

    it("_entities with 13,000 representations is refused before anything is resolved", async () => {
      const token = tokenForNew(dev);
      const representations = (n: number) => Array.from({ length: n }, () => ({ __typename: "Batch", id: randomUUID() }));
      const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Batch { id } } }`;
      const huge = await call(dev.production.url, entities, { variables: { r: representations(13_000) }, token });
      expect(huge).toMatchObject({ status: 400 });
      expect(huge.errors).toEqual([{ message: "At most 1000 representations per request, got 13000", extensions: { code: "BAD_USER_INPUT" } }]);
      expect(huge.data).toBeUndefined();

      // Split over aliases and fragments, they are counted together.
      const split = `query($a: [_Any!]!, $b: [_Any!]!) { ...A b: _entities(representations: $b) { __typename } }
        fragment A on Query { ... on Query { a: _entities(representations: $a) { __typename } } }`;
      const aliased = await call(dev.production.url, split, { variables: { a: representations(600), b: representations(600) }, token: tokenForNew(dev) });
      expect(aliased.errors).toEqual([{ message: "At most 1000 representations per request, got 1200", extensions: { code: "BAD_USER_INPUT" } }]);

      const atLimit = await call(dev.production.url, entities, { variables: { r: representations(1000) }, token: tokenForNew(dev) });
      expect(atLimit.errors).toBeUndefined();
      expect(atLimit.data?._entities).toHaveLength(1000);
    });

    it("a body over MAX_BODY_BYTES is refused by a subgraph as by the gateway", async () => {
      const padding = "x".repeat(5000);
      for (const service of services(guarded)) {
        const result = await call(service.url, `{ __typename }`, { variables: { padding }, token: tokenForNew(guarded) });
        expect({ service: service.name, status: result.status, errors: result.errors }).toEqual({
          service: service.name,
          status: 413,
          errors: [{ message: "request entity too large", extensions: { code: "PAYLOAD_TOO_LARGE" } }],
        });
      }
    });
  });

  describe("federation fields on the subgraph ports", () => {
    it("anonymous `_service { sdl }` straight at a subgraph port is refused with 401", async () => {
      for (const service of subgraphs(dev)) {
        const direct = await call(service.url, `{ _service { sdl } }`, { headers: { "x-forwarded-for": uniqueIp() } });
        expect({ service: service.name, status: direct.status, errors: direct.errors, data: direct.data }).toEqual({
          service: service.name,
          status: 401,
          errors: [ENTITIES_ANONYMOUS],
          data: undefined,
        });
        // Hidden in a fragment, it is refused all the same.
        const fragment = await call(service.url, `{ ...F } fragment F on Query { ... on Query { s: _service { sdl } } }`, {
          headers: { "x-forwarded-for": uniqueIp() },
        });
        expect(fragment).toMatchObject({ status: 401, errors: [ENTITIES_ANONYMOUS] });
      }
    });

    it("anonymous `_entities` can no longer tell which batch ids exist", async () => {
      const producer = await dev.createUser({ roles: ["PRODUCTION"] });
      const created = await dev.call(
        `mutation($input: CreateBatchInput!) { createBatch(input: $input) { id } }`,
        { input: { batchNumber: `PER-${randomBytes(5).toString("hex")}`, productCode: "P-1", productName: "Probe", plannedQuantity: 10, unit: "kg" } },
        dev.tokenFor(producer),
      );
      expect(created.errors).toBeUndefined();
      const probe = await call(dev.production.url, `query($r: [_Any!]!) { _entities(representations: $r) { __typename } }`, {
        variables: {
          r: [
            { __typename: "Batch", id: created.data!.createBatch.id },
            { __typename: "Batch", id: randomUUID() },
          ],
        },
        headers: { "x-forwarded-for": uniqueIp() },
      });
      expect({ status: probe.status, errors: probe.errors, data: probe.data }).toEqual({ status: 401, errors: [ENTITIES_ANONYMOUS], data: undefined });
    });

    it("with the caller's token, `_service` answers and the gateway's entity fetches keep working", async () => {
      const sdl = await call(dev.production.url, `{ _service { sdl } }`, { token: tokenForNew(dev) });
      expect(sdl.status).toBe(200);
      expect(sdl.data?._service.sdl).toContain("type Batch");

      const producer = await dev.createUser({ roles: ["PRODUCTION"], name: "Perimeter Producer" });
      const token = dev.tokenFor(producer);
      const created = await dev.call(
        `mutation($input: CreateBatchInput!) { createBatch(input: $input) { id createdBy { name } } }`,
        { input: { batchNumber: `PER-${randomBytes(5).toString("hex")}`, productCode: "P-1", productName: "Entity", plannedQuantity: 10, unit: "kg" } },
        token,
      );
      expect(created.errors).toBeUndefined();
      expect(created.data?.createBatch.createdBy).toEqual({ name: "Perimeter Producer" });
    });
  });

  describe("/metrics", () => {
    it("with METRICS_TOKEN set, /metrics on every service answers only the scraper's bearer token", async () => {
      for (const service of services(guarded)) {
        const unauthorized = {
          errors: [{ message: "Scraping /metrics needs Authorization: Bearer <METRICS_TOKEN>", extensions: { code: "UNAUTHENTICATED" } }],
        };
        for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: `Bearer ${METRICS_TOKEN}x` }, { authorization: METRICS_TOKEN }] as Array<
          Record<string, string>
        >) {
          const response = await fetch(`${service.url}/metrics`, { headers });
          expect({ service: service.name, status: response.status, body: await response.json() }).toEqual({
            service: service.name,
            status: 401,
            body: unauthorized,
          });
          expect(response.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
        }
        const scraped = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
        expect(scraped.status).toBe(200);
        expect(await scraped.text()).toContain("process_cpu_user_seconds_total");
      }
    });

    it("in production without METRICS_TOKEN the gateway does not serve /metrics on its public port, and says how to enable it", async () => {
      const response = await fetch(`${prod.gateway.url}/metrics`);
      expect({ status: response.status, body: await response.json() }).toEqual({
        status: 404,
        body: { errors: [{ message: "No route GET /metrics", extensions: { code: "NOT_FOUND" } }] },
      });
      expect(prod.gateway.logs).toContainEqual(
        expect.objectContaining({
          level: 40,
          msg: "/metrics is not served: in production it needs METRICS_TOKEN; set it and scrape with Authorization: Bearer <METRICS_TOKEN>",
        }),
      );
    });

    it("in development without METRICS_TOKEN /metrics stays open for a local Prometheus", async () => {
      for (const service of services(dev)) expect((await fetch(`${service.url}/metrics`)).status).toBe(200);
    });
  });

  describe("security headers and unknown paths", () => {
    const expectSecurityHeaders = (service: string, path: string, headers: Headers) =>
      expect({
        service,
        path,
        nosniff: headers.get("x-content-type-options"),
        referrer: headers.get("referrer-policy"),
        frame: headers.get("x-frame-options"),
        csp: !!headers.get("content-security-policy"),
      }).toEqual({
        service,
        path,
        nosniff: "nosniff",
        referrer: "no-referrer",
        frame: "DENY",
        csp: true,
      });

    it("every response of every service carries nosniff, no-referrer, DENY and a CSP", async () => {
      for (const stack of [dev, prod]) {
        for (const service of services(stack)) {
          for (const path of ["/health", "/no-such-path", "/api/no-such-endpoint"]) {
            expectSecurityHeaders(service.name, path, (await fetch(`${service.url}${path}`)).headers);
          }
          expectSecurityHeaders(service.name, "/graphql", (await call(service.url, `{ __typename }`, { token: tokenForNew(stack) })).headers);
          const malformed = await fetch(`${service.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
          expectSecurityHeaders(service.name, "/graphql (malformed)", malformed.headers);
        }
      }
    });

    it("Apollo Sandbox still loads in development: every script, style and frame of its page is allowed", async () => {
      const page = await fetch(`${dev.gateway.url}/graphql`, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      const html = await page.text();
      const csp = directives(page.headers.get("content-security-policy")!);
      const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => new URL(m[1]!).origin);
      expect(scripts.length).toBeGreaterThan(0);
      for (const origin of scripts) expect(csp["script-src"]).toContain(origin);
      expect(csp["script-src"]).toContain("'unsafe-inline'");
      expect(csp["style-src"]).toEqual(expect.arrayContaining(["'unsafe-inline'", "https://fonts.googleapis.com"]));
      expect(csp["frame-src"]).toContain("https://sandbox.embed.apollographql.com");
      expect(csp["frame-ancestors"]).toEqual(["'none'"]);
    });

    it("outside development the CSP lets nothing load and nobody frame a response", async () => {
      for (const service of services(prod)) {
        const csp = (await fetch(`${service.url}/health`)).headers.get("content-security-policy");
        expect({ service: service.name, csp }).toEqual({
          service: service.name,
          csp: "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
        });
      }
    });

    it("an unknown path gets a JSON 404 on every service instead of Express's HTML page", async () => {
      for (const service of services(dev)) {
        // An address of its own: the other tests' anonymous calls do not spend this one's per-IP quota.
        const headers = { "x-forwarded-for": uniqueIp() };
        for (const [method, path, message] of [
          ["GET", "/x", "No route GET /x"],
          ["POST", "/no/such/thing?with=query", "No route POST /no/such/thing"],
          ["DELETE", "/health", "No route DELETE /health"],
        ] as const) {
          const response = await fetch(`${service.url}${path}`, { method, headers });
          expect({ service: service.name, path, status: response.status, type: response.headers.get("content-type"), body: await response.json() }).toEqual({
            service: service.name,
            path,
            status: 404,
            type: "application/json; charset=utf-8",
            body: { errors: [{ message, extensions: { code: "NOT_FOUND" } }] },
          });
        }
        const api = await rest(service.url, "GET", "/api/no-such-endpoint", { headers });
        expect({ service: service.name, status: api.status, body: api.body }).toEqual({
          service: service.name,
          status: 404,
          body: restError("NOT_FOUND", "No endpoint GET /api/no-such-endpoint"),
        });
      }
    });
  });

  describe("x-request-id", () => {
    const idsLogged = (stack: InProcessStack) =>
      services(stack).flatMap((s) => s.logs.map((l) => l.requestId).filter((id): id is string => typeof id === "string"));

    it("an 8 KB x-request-id is replaced by a new id, which the answer, the subgraphs' logs and the event's correlationId carry", async () => {
      const producer = await dev.createUser({ roles: ["PRODUCTION"] });
      const huge = "r".repeat(8192);
      const created = await call(dev.gateway.url, `mutation($input: CreateBatchInput!) { createBatch(input: $input) { id } }`, {
        variables: {
          input: { batchNumber: `RID-${randomBytes(5).toString("hex")}`, productCode: "P-1", productName: "Request id", plannedQuantity: 10, unit: "kg" },
        },
        token: dev.tokenFor(producer),
        headers: { "x-request-id": huge },
      });
      expect(created.errors).toBeUndefined();
      const id = created.headers.get("x-request-id");
      expect(id).toMatch(UUID);
      const event = await dev.production.runtime.prisma.outboxEvent.findFirstOrThrow({ where: { batchId: created.data!.createBatch.id } });
      expect((event.envelope as { correlationId: string }).correlationId).toBe(id);
      await expect.poll(() => dev.production.logs.filter((l) => l.requestId === id).length).toBeGreaterThan(0);
      expect(idsLogged(dev).filter((logged) => logged.length > 128)).toEqual([]);
    });

    it("a request id with characters outside [A-Za-z0-9._:-] is replaced, on GraphQL and REST, at the gateway and the subgraphs", async () => {
      for (const bad of ["id with spaces", "<script>alert(1)</script>", "semi;colon", "x".repeat(129)]) {
        for (const service of services(dev)) {
          const answer = await call(service.url, `{ __typename }`, { headers: { "x-request-id": bad } });
          expect(answer.headers.get("x-request-id")).toMatch(UUID);
          const legacy = await rest(service.url, "GET", "/api/no-such-endpoint", { headers: { "x-request-id": bad } });
          expect(legacy.body.request_id).toMatch(UUID);
          expect(legacy.headers.get("x-request-id")).toBe(legacy.body.request_id);
        }
      }
    });

    it("an 8 KB x-request-id on a WebSocket upgrade is replaced before the graphql-ws server reads it", async () => {
      const seen = new Promise<unknown>((resolve) =>
        dev.gateway.server.httpServer.once("upgrade", (req: IncomingMessage) => resolve(req.headers["x-request-id"])),
      );
      const socket = new WebSocket(`${dev.gateway.url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws", {
        headers: { "x-request-id": "w".repeat(8192) },
      });
      const opened = once(socket, "open");
      expect(await seen).toMatch(UUID);
      await opened;
      socket.close();
    });

    it("a well-formed request id is kept from the client through the gateway to the subgraph", async () => {
      const id = `trace-${randomBytes(4).toString("hex")}:a.b_c-${"9".repeat(100)}`;
      expect(id.length).toBeLessThanOrEqual(128);
      const token = tokenForNew(dev);
      const answer = await call(dev.gateway.url, `{ me { id } }`, { token, headers: { "x-request-id": id } });
      expect(answer.headers.get("x-request-id")).toBe(id);
      await expect.poll(() => dev.user.logs.filter((l) => l.requestId === id && l.msg === "graphql operation").length).toBe(1);
    });
  });
});

describe("docker-compose.yml", () => {
  type Service = {
    ports?: string[];
    environment?: Record<string, string>;
    command?: string[] | string;
    healthcheck?: { test: string[] };
    profiles?: string[];
  };
  const compose = parseYaml(readFileSync(`${ROOT}/docker-compose.yml`, "utf8"), { merge: true }) as { services: Record<string, Service> };
  const env = (name: string) => compose.services[name]!.environment ?? {};
  // What `docker compose up` starts; the observability profile's tools only on request.
  const stack = Object.entries(compose.services).filter(([, service]) => !service.profiles);

  it("publishes only the gateway, on a host address that defaults to 127.0.0.1, and the observability tools on 127.0.0.1", () => {
    const published = stack.filter(([, service]) => service.ports?.length).map(([name]) => name);
    expect(published).toEqual(["gateway"]);
    expect(compose.services.gateway!.ports).toEqual(["${GATEWAY_PUBLISH_ADDRESS:-127.0.0.1}:${GATEWAY_PUBLISH_PORT:-8000}:8000"]);
    const tools = Object.values(compose.services).filter((service) => service.profiles);
    for (const port of tools.flatMap((service) => service.ports ?? [])) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it("gives Redis a password and RabbitMQ its own user, and builds every service's URLs from them", () => {
    expect(String(compose.services.redis!.command)).toContain('--requirepass "$$REDIS_PASSWORD"');
    expect(env("redis").REDIS_PASSWORD).toBe("${REDIS_PASSWORD:-local-only-redis-password}");
    expect(env("rabbitmq")).toMatchObject({
      RABBITMQ_DEFAULT_USER: expect.stringContaining("${RABBITMQ_USER"),
      RABBITMQ_DEFAULT_PASS: expect.stringContaining("${RABBITMQ_PASSWORD"),
    });
    for (const name of ["prepare", "auth", "user", "production", "gateway"]) {
      const { REDIS_URL, AMQP_URL, DATABASE_URL } = env(name);
      expect({ name, REDIS_URL, AMQP_URL, DATABASE_URL }).toEqual({
        name,
        REDIS_URL: "redis://:${REDIS_PASSWORD:-local-only-redis-password}@redis:6379",
        AMQP_URL: "amqp://${RABBITMQ_USER:-batch}:${RABBITMQ_PASSWORD:-local-only-rabbitmq-password}@rabbitmq:5672",
        DATABASE_URL: "postgresql://${POSTGRES_USER:-postgres}:${POSTGRES_PASSWORD:-postgres}@postgres:5432/batch_supergraph",
      });
    }
    for (const name of Object.keys(compose.services)) expect(JSON.stringify(compose.services[name])).not.toContain("guest");
  });

  it("lets the subgraphs trust X-Forwarded-For from the stack's own network only, never the gateway", () => {
    for (const name of ["auth", "user", "production"]) expect(env(name).TRUST_PROXY).toBe("${BACKEND_SUBNET:-172.16.87.0/24}");
    expect(env("gateway").TRUST_PROXY).toBe("${GATEWAY_TRUST_PROXY:-}");
  });

  it.runIf(composeBinary())("is a file docker-compose accepts, with the variables it is given", () => {
    const [command, ...args] = composeBinary()!;
    const config = (env: Record<string, string> = {}) =>
      execFileSync(command!, [...args, "-f", "docker-compose.yml", "config"], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
    // Docker-compose interpolates every variable and checks the whole file against its schema.
    const resolved = config({ GATEWAY_PUBLISH_ADDRESS: "0.0.0.0", REDIS_PASSWORD: "changed-redis-password" });
    expect(resolved).toContain("0.0.0.0:8000:8000");
    expect(resolved).toContain("redis://:changed-redis-password@redis:6379");
  });

  it("keeps a health check on every long-running service of the stack", () => {
    for (const [name, service] of stack) {
      if (name !== "prepare") expect({ name, health: !!service.healthcheck?.test }).toEqual({ name, health: true });
    }
    expect(compose.services.redis!.healthcheck!.test.join(" ")).toContain("REDISCLI_AUTH");
  });
});

/** `docker-compose` or `docker compose`, whichever this machine has (Docker need not run). */
function composeBinary(): string[] | undefined {
  for (const candidate of [["docker-compose"], ["docker", "compose"]]) {
    try {
      execFileSync(candidate[0]!, [...candidate.slice(1), "version"], { stdio: "ignore" });
      return candidate;
    } catch {
      // not installed: try the next one
    }
  }
  return undefined;
}

/** `content-security-policy` as a map of directive to sources. */
function directives(csp: string): Record<string, string[]> {
  return Object.fromEntries(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}
