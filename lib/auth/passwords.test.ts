import { describe, expect, it } from "vitest";
import { hashPassword, OWASP_SCRYPT, verifyPassword } from "./passwords.js";

describe("password hashing", () => {
  it("uses OWASP's scrypt cost by default and verifies only the right password", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(OWASP_SCRYPT).toEqual({ N: 131072, r: 8, p: 1 });
    await expect(verifyPassword("correct horse battery staple", stored)).resolves.toBe(true);
    await expect(verifyPassword("correct horse battery stapler", stored)).resolves.toBe(false);
  });

  it("salts every hash", async () => {
    const cheap = { N: 1024, r: 8, p: 1 };
    expect(await hashPassword("same", cheap)).not.toEqual(await hashPassword("same", cheap));
  });

  it("never matches a malformed stored hash", async () => {
    for (const stored of ["", "plain", "bcrypt$1$2$3$a$b", "scrypt$x$8$1$c2FsdA$aGFzaA", "scrypt$1024$8$1$$", "scrypt$1000$8$1$c2FsdA$aGFzaA"]) {
      await expect(verifyPassword("anything", stored)).resolves.toBe(false);
    }
  });
});
