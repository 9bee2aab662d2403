import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { keyId } from "#lib/auth/tokens.js";
import { jwks, loadSigningKey, ownKeyLookup } from "./keys.js";

const dir = mkdtempSync(join(tmpdir(), "auth-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pem = (type: "ec" | "rsa" = "ec") =>
  (type === "ec" ? generateKeyPairSync("ec", { namedCurve: "P-256" }) : generateKeyPairSync("rsa", { modulusLength: 2048 })).privateKey
    .export({ format: "pem", type: "pkcs8" })
    .toString();
const none = { privateKeyPem: undefined, privateKeyFile: undefined, production: false };

describe("signing key", () => {
  it("comes from JWT_PRIVATE_KEY, its kid the public key's thumbprint, published as JWKS", async () => {
    const key = loadSigningKey({ ...none, privateKeyPem: pem() });
    expect(key.kid).toBe(keyId(key.publicKey));
    expect(jwks(key)).toEqual({
      keys: [{ kty: "EC", crv: "P-256", x: expect.any(String), y: expect.any(String), kid: key.kid, alg: "ES256", use: "sig" }],
    });
    expect(JSON.stringify(jwks(key))).not.toContain('"d"');
    await expect(ownKeyLookup(key)(key.kid)).resolves.toBe(key.publicKey);
    await expect(ownKeyLookup(key)("another")).rejects.toThrow("unknown kid another");
  });

  it("comes from JWT_PRIVATE_KEY_FILE", () => {
    const file = join(dir, "given.pem");
    writeFileSync(file, pem());
    expect(loadSigningKey({ ...none, privateKeyFile: file }).kid).toEqual(expect.any(String));
    expect(() => loadSigningKey({ ...none, privateKeyFile: join(dir, "missing.pem") })).toThrow(/^JWT_PRIVATE_KEY_FILE: cannot read/);
  });

  it("is generated once outside production, private to its owner, and reused", () => {
    const devKeyFile = join(dir, "data", "jwt-private.pem");
    const first = loadSigningKey({ ...none, devKeyFile });
    expect(statSync(devKeyFile).mode & 0o777).toBe(0o600);
    expect(loadSigningKey({ ...none, devKeyFile }).kid).toBe(first.kid);
  });

  it("must be given in production", () => {
    expect(() => loadSigningKey({ ...none, production: true, devKeyFile: join(dir, "never.pem") })).toThrow(
      expect.objectContaining({ name: "ConfigError", message: "JWT_PRIVATE_KEY: required in production (or JWT_PRIVATE_KEY_FILE)" }),
    );
  });

  it("must be an EC P-256 private key", () => {
    expect(() => loadSigningKey({ ...none, privateKeyPem: pem("rsa") })).toThrow("JWT_PRIVATE_KEY: ES256 needs an EC P-256 key");
    expect(() => loadSigningKey({ ...none, privateKeyPem: "not a key" })).toThrow(/^JWT_PRIVATE_KEY: not a PEM private key/);
  });
});
