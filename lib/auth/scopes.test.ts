import { describe, expect, it } from "vitest";
import { scopesForRoles } from "./scopes.js";

describe("scopesForRoles", () => {
  it("gives a viewer read scopes only", () => {
    expect(scopesForRoles(["VIEWER"])).toEqual(["batches:read", "qa:read", "users:read"]);
  });

  it("merges the scopes of several roles without duplicates", () => {
    expect(scopesForRoles(["PRODUCTION", "QA"])).toEqual([
      "batches:read",
      "batches:release",
      "batches:write",
      "qa:approve",
      "qa:read",
      "qa:write",
      "users:read",
    ]);
  });

  it("keeps batch release to QA, not to ADMIN", () => {
    expect(scopesForRoles(["ADMIN"])).not.toContain("batches:release");
    expect(scopesForRoles(["ADMIN"])).not.toContain("qa:approve");
    expect(scopesForRoles(["PRODUCTION"])).not.toContain("qa:write");
    expect(scopesForRoles([])).toEqual([]);
  });
});
