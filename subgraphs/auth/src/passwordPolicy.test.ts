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
const field = { code: "BAD_USER_INPUT", field: "password" };

describe("password policy", () => {
  it("accepts 12 to 256 characters, counting code points", () => {
    expect(refusal("stapler-horse-blue")).toBeUndefined();
    expect(refusal("🔒🔑🚪🏠🌳🌊🔥⭐🍀🎲🎯🧭")).toBeUndefined();
    expect(refusal("Correct horse battery staple, said the clerk twice.".repeat(5).slice(0, 256))).toBeUndefined();
    expect(refusal("a much longer passphrase")).toBeUndefined();
  });

  it("refuses short, overlong and email-shaped passwords with a clear message", () => {
    expect(refusal("a".repeat(11))).toEqual({ message: "Password must be at least 12 characters long", extensions: field });
    expect(refusal("x7".repeat(129))).toEqual({ message: "Password must be at most 256 characters long", extensions: field });
    expect(refusal("QA@Example.com ", "qa@example.com")).toEqual({ message: "Password must not be the email address", extensions: field });
    expect(refusal("")).toEqual({ message: "Password must be at least 12 characters long", extensions: field });
  });

  it("refuses passwords of spaces only, with control characters or unpaired surrogates", () => {
    expect(refusal(" ".repeat(12))).toEqual({ message: "Password must not be only spaces", extensions: field });
    expect(refusal("\u00a0 \u2003\u3000".repeat(3))).toEqual({ message: "Password must not be only spaces", extensions: field });
    expect(refusal("\u0000".repeat(12))).toEqual({ message: "Password must not contain control characters", extensions: field });
    expect(refusal("good password\u0007")).toEqual({ message: "Password must not contain control characters", extensions: field });
    expect(refusal("good password\u0085")).toEqual({ message: "Password must not contain control characters", extensions: field });
    expect(refusal("good password\ud800")).toEqual({ message: "Password must be valid Unicode text", extensions: field });
  });

  it("refuses one short piece repeated", () => {
    for (const password of ["passwordpassword", "PasswordPASSWORD", "aaaaaaaaaaaa", "abcabcabcabc", "🔒".repeat(12), "x".repeat(256), "hunter2hunter2"]) {
      expect({ password, refusal: refusal(password) }).toEqual({
        password,
        refusal: { message: "Password must not be a short piece repeated", extensions: field },
      });
    }
    // A piece that is long enough on its own may be said twice.
    expect(refusal("quiet-maple-ridge quiet-maple-ridge")).toBeUndefined();
  });

  it("refuses common passwords, also with digits or symbols added at their ends", () => {
    for (const password of ["password1234", "qwertyuiop123", "1q2w3e4r5t6y", "Baseball2024!!", "!!sunshine!!12", "123456789012", "iloveyou12345"]) {
      expect({ password, refusal: refusal(password) }).toEqual({
        password,
        refusal: { message: "Password is too common: it is on lists of leaked passwords", extensions: field },
      });
    }
  });
});
