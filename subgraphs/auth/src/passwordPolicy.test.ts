import { describe, expect, it } from "vitest";
import { assertPasswordAllowed } from "./passwordPolicy.js";

const refusal = (password: string, email = "qa@example.com") => {
  try {
    assertPasswordAllowed(password, email);
  } catch (err) {
    return { message: (err as Error).message, extensions: (err as { extensions: unknown }).extensions };
  }
  return undefined;
};

describe("password policy", () => {
  it("accepts 12 to 256 characters, counting code points", () => {
    expect(refusal("a".repeat(12))).toBeUndefined();
    expect(refusal("🔒".repeat(12))).toBeUndefined();
    expect(refusal("a".repeat(256))).toBeUndefined();
  });

  it("refuses short, overlong and email-shaped passwords with a clear message", () => {
    const field = { code: "BAD_USER_INPUT", field: "password" };
    expect(refusal("a".repeat(11))).toEqual({ message: "Password must be at least 12 characters long", extensions: field });
    expect(refusal("a".repeat(257))).toEqual({ message: "Password must be at most 256 characters long", extensions: field });
    expect(refusal("QA@Example.com ", "qa@example.com")).toEqual({ message: "Password must not be the email address", extensions: field });
    expect(refusal("")).toEqual({ message: "Password must be at least 12 characters long", extensions: field });
  });
});
