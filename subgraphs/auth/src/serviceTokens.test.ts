import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo, Server } from "node:net";
import express from "express";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyId, verifyAccessToken } from "#lib/auth/tokens.js";
import { serviceTokenRoute } from "./serviceTokens.js";

const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const key = { privateKey, publicKey, kid: keyId(publicKey) };
const audience = { issuer: "batch-supergraph-auth", audience: "batch-supergraph" };
const secret = "a-test-secret-of-the-gateway-client-0123456789";

let server: Server;
let url: string;
beforeAll(async () => {
  const app = express().use(serviceTokenRoute(key, audience, { gatewaySecret: secret, ttlSeconds: 120 }, pino({ level: "silent" })));
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** A token request as an OAuth2 client sends it: form-encoded, credentials in `Authorization: Basic`. */
async function requestToken(form: Record<string, string>, credentials = `gateway:${secret}`) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(credentials).toString("base64")}` },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, cacheControl: response.headers.get("cache-control"), body: (await response.json()) as Record<string, unknown> };
}

describe("POST /oauth/token (client credentials)", () => {
  it("issues a token with exactly the scopes asked for, a service subject and no roles, verified like any token", async () => {
    const { status, cacheControl, body } = await requestToken({ grant_type: "client_credentials", scope: "users:read batches:read" });
    expect({ status, cacheControl }).toEqual({ status: 200, cacheControl: "no-store" });
    expect(body).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: 120, scope: "batches:read users:read" });
    const principal = await verifyAccessToken(body.access_token as string, async () => publicKey, { ...audience, maxTtlSeconds: 900 });
    expect(principal).toMatchObject({ userId: "service:gateway", service: "gateway", roles: [], scopes: ["batches:read", "users:read"], email: "" });
    expect(principal.exp - principal.iat).toBe(120);
  });

  it("accepts the credentials in the form too (client_secret_post)", async () => {
    const { status } = await requestToken({ grant_type: "client_credentials", scope: "batches:read", client_id: "gateway", client_secret: secret }, "");
    expect(status).toBe(200);
  });

  it("refuses a wrong secret, an unknown client, another grant, and unknown or missing scopes, with the OAuth2 error", async () => {
    expect(await requestToken({ grant_type: "client_credentials", scope: "batches:read" }, "gateway:wrong")).toEqual({
      status: 401,
      cacheControl: "no-store",
      body: { error: "invalid_client", error_description: "Unknown client or wrong secret" },
    });
    expect((await requestToken({ grant_type: "client_credentials", scope: "batches:read" }, `someone:${secret}`)).body.error).toBe("invalid_client");
    expect((await requestToken({ grant_type: "password", scope: "batches:read" })).body).toEqual({
      error: "unsupported_grant_type",
      error_description: "Only grant_type=client_credentials is supported",
    });
    expect((await requestToken({ grant_type: "client_credentials", scope: "batches:read root" })).body).toEqual({
      error: "invalid_scope",
      error_description: "Unknown scope root",
    });
    expect((await requestToken({ grant_type: "client_credentials" })).status).toBe(400);
  });
});
