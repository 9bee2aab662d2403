import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import express from "express";
import { ConfigError } from "#lib/config.js";
import { ALGORITHM, keyId, type KeyLookup } from "#lib/auth/tokens.js";
import type { AuthSettings } from "#lib/config.js";

/** The key access tokens are signed with, and what verifiers need to know of it. */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** RFC 7638 thumbprint of the public key, the `kid` of every token it signs. */
  kid: string;
}

/** Where a development key is kept between runs (`.data/` is git-ignored). */
export const DEV_KEY_FILE = ".data/jwt-private.pem";

export interface KeySource extends Pick<AuthSettings, "privateKeyPem" | "privateKeyFile"> {
  /** `NODE_ENV === "production"`: the key must be given, never generated. */
  production: boolean;
  /** Default {@link DEV_KEY_FILE}, relative to the working directory. */
  devKeyFile?: string;
}

function parse(pem: string, variable: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw new ConfigError(variable, `not a PEM private key (${(err as Error).message})`);
  }
  if (privateKey.asymmetricKeyType !== "ec" || privateKey.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new ConfigError(variable, `${ALGORITHM} needs an EC P-256 key`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, kid: keyId(publicKey) };
}

function readKeyFile(path: string, variable: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(variable, `cannot read ${path} (${(err as Error).message})`);
  }
}

/** Reads the development key, creating it the first time; `wx` keeps a key another process wrote first. */
function devKeyPem(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" });
  try {
    writeFileSync(path, pem, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return readFileSync(path, "utf8");
}

/**
 * The signing key from `JWT_PRIVATE_KEY`, else `JWT_PRIVATE_KEY_FILE`. Outside production,
 * with neither set, a key is generated into {@link DEV_KEY_FILE} (mode 0600) and reused, so
 * tokens survive a restart; in production a missing key stops the start.
 */
export function loadSigningKey({ privateKeyPem, privateKeyFile, production, devKeyFile = DEV_KEY_FILE }: KeySource): SigningKey {
  if (privateKeyPem) return parse(privateKeyPem, "JWT_PRIVATE_KEY");
  if (privateKeyFile) return parse(readKeyFile(privateKeyFile, "JWT_PRIVATE_KEY_FILE"), "JWT_PRIVATE_KEY_FILE");
  if (production) throw new ConfigError("JWT_PRIVATE_KEY", "required in production (or JWT_PRIVATE_KEY_FILE)");
  return parse(devKeyPem(devKeyFile), devKeyFile);
}

/** The public half as a JSON Web Key Set, what `/.well-known/jwks.json` serves. */
export function jwks({ publicKey, kid }: SigningKey) {
  const { kty, crv, x, y } = publicKey.export({ format: "jwk" });
  return { keys: [{ kty, crv, x, y, kid, alg: ALGORITHM, use: "sig" }] };
}

/** Verifies with this subgraph's own key only: there is no JWKS to fetch from itself. */
export function ownKeyLookup({ publicKey, kid }: SigningKey): KeyLookup {
  return async (candidate) => {
    if (candidate !== kid) throw new Error(`unknown kid ${candidate}`);
    return publicKey;
  };
}

/** How long verifiers may cache the key set; short, so a new key spreads quickly. */
const JWKS_MAX_AGE_SECONDS = 300;

/** `GET /.well-known/jwks.json`. */
export function jwksRoute(key: SigningKey): express.Router {
  const body = jwks(key);
  return express.Router().get("/.well-known/jwks.json", (_req, res) => {
    res.set("cache-control", `public, max-age=${JWKS_MAX_AGE_SECONDS}`).json(body);
  });
}
