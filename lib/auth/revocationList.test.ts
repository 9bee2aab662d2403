import { describe, expect, it } from "vitest";
import { RevocationList, revocationKey } from "./revocationList.js";

const now = () => Math.floor(Date.now() / 1000);

describe("RevocationList", () => {
  it("refuses a revoked token id, and the tokens of a user under an older generation only", () => {
    const list = new RevocationList();
    list.add({ jti: "t1", exp: now() + 60 });
    list.add({ userId: "u1", generation: 10, expiresAt: now() + 60 });
    expect(list.isRevoked({ jti: "t1", userId: "u2", generation: 0 })).toBe(true);
    expect(list.isRevoked({ jti: "t2", userId: "u1", generation: 9 })).toBe(true);
    expect(list.isRevoked({ jti: "t2", userId: "u1", generation: 10 })).toBe(false);
    expect(list.isRevoked({ jti: "t2", userId: "u2", generation: 0 })).toBe(false);
  });

  it("merges a snapshot and notices in any order to the same list: a generation never goes down", () => {
    const list = new RevocationList();
    list.add({ userId: "u1", generation: 20, expiresAt: now() + 60 });
    list.merge({ tokens: [[revocationKey("t1"), now() + 60]], users: [[revocationKey("u1"), 10, now() + 30]] });
    expect(list.isRevoked({ jti: "x", userId: "u1", generation: 15 })).toBe(true);
    expect(list.isRevoked({ jti: "t1", userId: "u9", generation: 0 })).toBe(true);
  });

  it("forgets entries once they have expired", () => {
    const list = new RevocationList();
    list.add({ jti: "old", exp: now() - 10 });
    list.add({ jti: "live", exp: now() + 60 });
    list.prune();
    expect(list.size).toBe(1);
    expect(list.isRevoked({ jti: "live", userId: "u", generation: 0 })).toBe(true);
  });

  it("names ids by a hash that does not show them", () => {
    expect(revocationKey("8d6c5f0e-1b1a-4c33-9d2c-6a7f1c2b3e4d")).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(revocationKey("a")).not.toBe(revocationKey("b"));
  });
});
