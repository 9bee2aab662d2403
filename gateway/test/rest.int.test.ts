import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { documentedRoutes, tableRoutes } from "../../rest/engine/registeredRoutes.js";
import { legacyRoutes } from "../../rest/routes/index.js";
import { expectRestError, rest } from "../../test/support/rest.js";
import { startInProcessStack, type InProcessStack } from "../../test/support/inProcessStack.js";

/**
 * Every legacy REST endpoint among the real services, on the gateway and on the port of the
 * service that owns it, with the legacy JSON asserted field by field.
 */
let stack: InProcessStack;
let tokens: Record<"admin" | "production" | "qa" | "viewer", string>;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const tag = () => randomBytes(4).toString("hex").toUpperCase();

/** Where each route family is served: all on the gateway, or each on its own service. */
type Target = "gateway" | "services";
const urlOf = (target: Target, service: "auth" | "user" | "production") => (target === "gateway" ? stack.gateway : stack[service]).url;

async function login(email: string, password = "demo-password"): Promise<string> {
  const response = await rest(stack.gateway.url, "POST", "/api/auth/login", { json: { email, password } });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.access_token;
}

beforeAll(async () => {
  // REST logins count against the gateway's login limit like GraphQL ones: this file signs in often.
  stack = await startInProcessStack({ events: false, env: { RATE_LIMIT_LOGIN: "1000" } });
  await stack.seed();
  // One after another: each sign-in costs a deliberately slow password hash, and four queued
  // at once on a busy machine can outlast the gateway's subgraph timeout.
  const admin = await login("admin@example.com", "admin-password");
  const production = await login("production@example.com");
  const qa = await login("qa@example.com");
  const viewer = await login("viewer@example.com");
  tokens = { admin: admin!, production: production!, qa: qa!, viewer: viewer! };
});

afterAll(async () => {
  await stack?.stop();
});

describe("GET /health", () => {
  it.each(["gateway", "auth", "user", "production"] as const)("answers on %s", async (name) => {
    const response = await rest(stack[name].url, "GET", "/health");
    expect(response).toMatchObject({ status: 200, body: { status: "ok", service: name } });
  });
});

describe.each(["gateway", "services"] as const)("auth endpoints on the %s", (target) => {
  const auth = () => urlOf(target, "auth");

  it("POST /api/auth/login answers the legacy token response", async () => {
    const response = await rest(auth(), "POST", "/api/auth/login", { json: { email: "QA@example.com", password: "demo-password" } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      access_token: expect.stringMatching(/^ey[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: "Bearer",
      expires_in: expect.any(Number),
      refresh_token: expect.any(String),
      user_id: expect.stringMatching(UUID),
      device_token: expect.any(String),
    });
    expect(response.body.expires_in).toBeGreaterThan(0);
  });

  it("POST /api/auth/login with a wrong password is 401 in the error body", async () => {
    const response = await rest(auth(), "POST", "/api/auth/login", { json: { email: "viewer@example.com", password: "wrong-password" } });
    expectRestError(response, 401, "UNAUTHENTICATED", expect.any(String));
  });

  it("POST /api/auth/verify answers what a valid token says", async () => {
    const response = await rest(auth(), "POST", "/api/auth/verify", { json: { token: tokens.admin } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      valid: true,
      user_id: expect.stringMatching(UUID),
      email: "admin@example.com",
      roles: ["ADMIN"],
      scopes: expect.arrayContaining(["users:read", "users:write", "batches:read", "batches:write"]),
      expires_at: expect.stringMatching(ISO),
    });
  });

  it("POST /api/auth/verify answers valid: false with the reason for a bad token", async () => {
    const response = await rest(auth(), "POST", "/api/auth/verify", { json: { token: "not-a-token" } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      valid: false,
      reason: expect.any(String),
      user_id: null,
      email: null,
      roles: [],
      scopes: [],
      expires_at: null,
    });
  });

  it("POST /api/auth/logout answers 204 and the token is refused from then on", async () => {
    const signIn = await rest(auth(), "POST", "/api/auth/login", { json: { email: "viewer@example.com", password: "demo-password" } });
    const { access_token, refresh_token } = signIn.body;
    const response = await rest(auth(), "POST", "/api/auth/logout", { token: access_token, json: { refresh_token } });
    expect(response).toMatchObject({ status: 204, body: undefined });
    const verify = await rest(auth(), "POST", "/api/auth/verify", { json: { token: access_token } });
    expect(verify.body).toMatchObject({ valid: false, reason: expect.stringContaining("revoked") });
    const reuse = await rest(auth(), "POST", "/api/auth/logout", { token: access_token });
    expectRestError(reuse, 401, "UNAUTHENTICATED", expect.stringContaining("revoked"));
  });

  it("POST /api/auth/logout without a token is 401", async () => {
    const response = await rest(auth(), "POST", "/api/auth/logout");
    expectRestError(response, 401, "UNAUTHENTICATED", expect.any(String));
  });
});

describe.each(["gateway", "services"] as const)("user endpoints on the %s", (target) => {
  const users = () => urlOf(target, "user");
  const legacyUser = (fields: Record<string, unknown>) => ({
    id: expect.stringMatching(UUID),
    created_at: expect.stringMatching(ISO),
    updated_at: expect.stringMatching(ISO),
    ...fields,
  });

  it("GET /api/users lists a page with items, total, page and limit", async () => {
    const response = await rest(users(), "GET", "/api/users?search=quinn", { token: tokens.viewer });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      items: [legacyUser({ email: "qa@example.com", name: "Quinn QA", roles: ["QA"], department: "Quality Assurance", active: true })],
      total: 1,
      page: 1,
      limit: 20,
    });
  });

  it("GET /api/users numbers pages with page and limit, filtered by role and active", async () => {
    const all = await rest(users(), "GET", "/api/users?role=ADMIN&active=true&limit=100", { token: tokens.viewer });
    expect(all.status).toBe(200);
    const second = await rest(users(), "GET", "/api/users?role=ADMIN&active=true&page=2&limit=1", { token: tokens.viewer });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ total: all.body.total, page: 2, limit: 1 });
    expect(second.body.items).toEqual(all.body.total >= 2 ? [all.body.items[1]] : []);
    for (const user of all.body.items) expect(user).toMatchObject({ roles: expect.arrayContaining(["ADMIN"]), active: true });
  });

  it("GET /api/users refuses a limit above 100 (422) and an anonymous caller (401)", async () => {
    const tooMany = await rest(users(), "GET", "/api/users?limit=101", { token: tokens.viewer });
    expectRestError(tooMany, 422, "BAD_USER_INPUT", "first must be between 0 and 100, got 101", { field: "first" });
    const anonymous = await rest(users(), "GET", "/api/users");
    expectRestError(anonymous, 401, "UNAUTHENTICATED", expect.any(String));
  });

  it("POST, GET, PUT and DELETE /api/users/{id} walk a user's life", async () => {
    const email = `rest-${tag().toLowerCase()}-${target}@example.com`;
    const created = await rest(users(), "POST", "/api/users", {
      token: tokens.admin,
      json: { email, name: "Rest User", roles: ["PRODUCTION"], department: "Packaging", password: "a-long-enough-password" },
    });
    expect(created.status).toBe(201);
    const user = created.body;
    expect(user).toEqual(legacyUser({ email, name: "Rest User", roles: ["PRODUCTION"], department: "Packaging", active: true }));
    expect(created.headers.get("location")).toBe(`/api/users/${user.id}`);

    const read = await rest(users(), "GET", `/api/users/${user.id}`, { token: tokens.viewer });
    expect(read).toMatchObject({ status: 200, body: user });

    const updated = await rest(users(), "PUT", `/api/users/${user.id}`, { token: tokens.admin, json: { name: "Renamed", department: null } });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ ...user, name: "Renamed", department: null, updated_at: expect.stringMatching(ISO) });

    const deleted = await rest(users(), "DELETE", `/api/users/${user.id}`, { token: tokens.admin });
    expect(deleted).toMatchObject({ status: 204, body: undefined });
    const after = await rest(users(), "GET", `/api/users/${user.id}`, { token: tokens.viewer });
    expect(after.body).toMatchObject({ id: user.id, active: false });
  });

  it("answers an unknown user with 404, a taken email with 409, a viewer writing with 403", async () => {
    const id = randomUUID();
    const missing = await rest(users(), "GET", `/api/users/${id}`, { token: tokens.viewer });
    expectRestError(missing, 404, "NOT_FOUND", `No user with id ${id}`);
    const missingUpdate = await rest(users(), "PUT", `/api/users/${id}`, { token: tokens.admin, json: { name: "x" } });
    expectRestError(missingUpdate, 404, "NOT_FOUND", expect.any(String), { id });

    const taken = await rest(users(), "POST", "/api/users", {
      token: tokens.admin,
      json: { email: "qa@example.com", name: "Copy", password: "a-long-enough-password" },
    });
    expectRestError(taken, 409, "CONFLICT", expect.any(String), expect.anything());

    const forbidden = await rest(users(), "DELETE", `/api/users/${id}`, { token: tokens.viewer });
    expectRestError(forbidden, 403, "FORBIDDEN", expect.any(String), { requiredScopes: [["users:write"]] });
  });
});

describe.each(["gateway", "services"] as const)("batch endpoints on the %s", (target) => {
  const batches = () => urlOf(target, "production");

  it("POST, GET, PUT and GET /api/batches walk a batch, in the legacy shape", async () => {
    const number = `REST-${tag()}`;
    const product = `P-${tag()}`;
    const created = await rest(batches(), "POST", "/api/batches", {
      token: tokens.production,
      json: { batch_number: number, product_code: product, product_name: "Paracetamol 500 mg", planned_quantity: 1000, unit: "kg" },
    });
    expect(created.status).toBe(201);
    const me = await rest(urlOf(target, "auth"), "POST", "/api/auth/verify", { json: { token: tokens.production } });
    const batch = created.body;
    expect(batch).toEqual({
      id: expect.stringMatching(UUID),
      batch_number: number,
      product_code: product,
      product_name: "Paracetamol 500 mg",
      planned_quantity: 1000,
      actual_quantity: null,
      unit: "kg",
      status: "PLANNED",
      stage: "DISPENSING",
      yield: null,
      created_by: me.body.user_id,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
      version: 1,
    });
    expect(created.headers.get("location")).toBe(`/api/batches/${batch.id}`);

    const read = await rest(batches(), "GET", `/api/batches/${batch.id}`, { token: tokens.viewer });
    expect(read).toMatchObject({ status: 200, body: batch });

    const edited = await rest(batches(), "PUT", `/api/batches/${batch.id}`, {
      token: tokens.production,
      json: { version: 1, planned_quantity: 1200, product_name: "Paracetamol 500 mg tablets" },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toEqual({
      ...batch,
      planned_quantity: 1200,
      product_name: "Paracetamol 500 mg tablets",
      version: 2,
      updated_at: expect.stringMatching(ISO),
    });

    const stale = await rest(batches(), "PUT", `/api/batches/${batch.id}`, { token: tokens.production, json: { version: 1, unit: "g" } });
    expectRestError(stale, 409, "CONFLICT", expect.any(String), expect.objectContaining({ currentVersion: 2 }));

    const started = await rest(batches(), "PUT", `/api/batches/${batch.id}`, {
      token: tokens.production,
      json: { status: "IN_PROGRESS", reason: "Line 1 ready" },
    });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ id: batch.id, status: "IN_PROGRESS", version: 3 });

    const listed = await rest(batches(), "GET", `/api/batches?search=${product}&status=IN_PROGRESS`, { token: tokens.viewer });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ items: [started.body], total: 1, page: 1, limit: 20 });
    const nextPage = await rest(batches(), "GET", `/api/batches?search=${product}&page=2&limit=1`, { token: tokens.viewer });
    expect(nextPage.body).toEqual({ items: [], total: 1, page: 2, limit: 1 });
  });

  it("answers an unknown batch with 404, a viewer creating with 403, no token with 401", async () => {
    const id = randomUUID();
    const missing = await rest(batches(), "GET", `/api/batches/${id}`, { token: tokens.viewer });
    expectRestError(missing, 404, "NOT_FOUND", `No batch with id ${id}`);
    const forbidden = await rest(batches(), "POST", "/api/batches", {
      token: tokens.viewer,
      json: { batch_number: `REST-${tag()}`, product_code: "P", product_name: "P", planned_quantity: 1, unit: "kg" },
    });
    expectRestError(forbidden, 403, "FORBIDDEN", expect.any(String), { requiredScopes: [["batches:write"]] });
    const anonymous = await rest(batches(), "GET", "/api/batches");
    expect(anonymous.status).toBe(401);
  });

  it("serves its OpenAPI document, and a 404 in the error body for any other /api path", async () => {
    const document = await rest(batches(), "GET", "/api/openapi.json");
    expect(document.status).toBe(200);
    expect(document.body.openapi).toBe("3.1.0");
    expect(Object.keys(document.body.paths)).toContain("/api/batches/{id}");
    const missing = await rest(batches(), "GET", "/api/nothing-here");
    expectRestError(missing, 404, "NOT_FOUND", "No endpoint GET /api/nothing-here");
  });
});

describe("the OpenAPI document of each running service", () => {
  const ALL = tableRoutes(legacyRoutes);
  const isCatchAll = (body: unknown) => (body as { error?: { message?: string } })?.error?.message?.startsWith("No endpoint ") === true;

  it.each(["gateway", "auth", "user", "production"] as const)("of %s lists exactly the routes it serves", async (name) => {
    const base = stack[name].url;
    const document = await rest(base, "GET", "/api/openapi.json");
    const listed = documentedRoutes(document.body);
    expect(listed).toEqual(expect.arrayContaining(["GET /health", "GET /api/openapi.json"]));
    // Every legacy route is answered by its handler where it is listed, and by the catch-all 404 elsewhere.
    for (const route of ALL) {
      const [method, path] = route.split(" ") as [string, string];
      const response = await rest(base, method, path.replace(":id", randomUUID()));
      expect({ route, served: !isCatchAll(response.body) }).toEqual({ route, served: listed.includes(route) });
    }
    expect(listed.filter((route) => !ALL.includes(route)).sort()).toEqual(["GET /api/openapi.json", "GET /health"]);
  });
});

describe("a dependency that is down", () => {
  it("is 503 on the gateway, in the error body", async () => {
    await stack.stopSubgraph("production");
    // Started again whatever happens: the file's other tests need it.
    onTestFinished(() => stack.restartSubgraph("production"));
    const response = await rest(stack.gateway.url, "GET", "/api/batches", { token: tokens.viewer });
    expectRestError(response, 503, "SERVICE_UNAVAILABLE", expect.any(String));
  });
});
