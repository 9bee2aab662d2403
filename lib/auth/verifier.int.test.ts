import { generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { readBackingServices } from "../config.js";
import { createLogger } from "../logger.js";
import { Revocations } from "./revocationSync.js";
import { keyId, signAccessToken } from "./tokens.js";
import { TokenVerifier } from "./verifier.js";

const redis = new Redis(readBackingServices().redisUrl);
// The list every service keeps: read once (empty), then told of each revocation.
const revocations = new Revocations({
  redis,
  prefix: `${inject("redisPrefix")}verifier-test:`,
  source: async () => ({ tokens: [], users: [] }),
  logger: createLogger("test", "silent"),
});
await revocations.reload();
const audience = { issuer: "verifier-test", audience: "verifier-test" };
const rules = { ...audience, maxTtlSeconds: 900 };

afterAll(() => redis.quit());

function signer() {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const kid = keyId(publicKey);
  const sign = (ttlSeconds = 300, issuedAt?: number) =>
    signAccessToken({ id: randomUUID(), email: "v@example.com", roles: ["VIEWER"] }, { privateKey, kid, ttlSeconds, issuedAt, ...audience });
  return { kid, publicKey, sign };
}

/** A key set that can drop keys, and counts lookups. */
function keySet(...keys: Array<{ kid: string; publicKey: KeyObject }>) {
  const known = new Map(keys.map(({ kid, publicKey }) => [kid, publicKey]));
  return {
    withdraw: (kid: string) => known.delete(kid),
    lookup: async (kid: string | undefined) => {
      const key = kid ? known.get(kid) : undefined;
      if (!key) throw new Error(`unknown kid ${kid}`);
      return key;
    },
  };
}

describe("TokenVerifier remembering verified tokens", () => {
  it("answers a remembered token with the same principal, and checks revocation every time", async () => {
    const { kid, publicKey, sign } = signer();
    const verifier = new TokenVerifier(keySet({ kid, publicKey }).lookup, rules, revocations);
    const token = sign();
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.scopes)).toBe(true);
    revocations.apply({ jti: first.jti, exp: first.exp });
    await expect(verifier.verify(token)).rejects.toMatchObject({ publicReason: "token revoked" });
  });

  it("refuses a remembered token once the key that verified it is withdrawn", async () => {
    const { kid, publicKey, sign } = signer();
    const keys = keySet({ kid, publicKey });
    const verifier = new TokenVerifier(keys.lookup, rules, revocations);
    const token = sign();
    await verifier.verify(token);
    keys.withdraw(kid);
    await expect(verifier.verify(token)).rejects.toMatchObject({ message: expect.stringContaining("unknown signing key") });
  });

  it("refuses a remembered token once it expires", async () => {
    const { kid, publicKey, sign } = signer();
    const verifier = new TokenVerifier(keySet({ kid, publicKey }).lookup, rules, revocations);
    // Issued 60 s ago for 61 s: it expires within the next second.
    const token = sign(61, Math.floor(Date.now() / 1000) - 60);
    const principal = await verifier.verify(token);
    await expect
      .poll(
        () =>
          verifier.verify(token).then(
            () => "accepted",
            (err: { publicReason?: string }) => err.publicReason,
          ),
        { timeout: 3_000, interval: 100 },
      )
      .toBe("token expired");
    expect(principal.exp * 1000).toBeLessThanOrEqual(Date.now());
  });

  it("remembers no more tokens than it is told to", async () => {
    const { kid, publicKey, sign } = signer();
    const verifier = new TokenVerifier(keySet({ kid, publicKey }).lookup, rules, revocations, 2);
    const [a, b, c] = [sign(), sign(), sign()];
    const principalA = await verifier.verify(a);
    await verifier.verify(b);
    await verifier.verify(c);
    // `a` was the least recently used: verified again, into a new principal.
    expect(await verifier.verify(a)).not.toBe(principalA);
  });
});
