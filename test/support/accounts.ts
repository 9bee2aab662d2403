import { randomUUID } from "node:crypto";
import { hashPassword } from "#lib/auth/passwords.js";
import type { Role } from "#lib/auth/scopes.js";
import type { PrismaClient } from "#lib/prisma.js";

/**
 * scrypt at a test's cost (1 MiB, about a millisecond) instead of OWASP's (128 MiB): a hash
 * keeps its parameters, so auth checks these passwords as quickly, and a test that signs many
 * users in does not wait on the CPU.
 */
export const CHEAP_SCRYPT = { N: 1024, r: 8, p: 1 };

/** An account a test made, with the password it can sign in (and sign) with. */
export interface TestAccount {
  id: string;
  email: string;
  name: string;
  password: string;
  roles: Role[];
}

export interface NewAccount {
  roles?: Role[];
  active?: boolean;
  name?: string;
  email?: string;
  /** Default a new random one; `null` for an account without a password. */
  password?: string | null;
}

/** Writes a user (`users.users`) and its password hash (`auth.credentials`) straight into the database, the way a test sets the scene. */
export async function insertAccount(
  prisma: PrismaClient,
  { roles = ["VIEWER"], active = true, name = "Test User", email, password = `pw-${randomUUID()}` }: NewAccount = {},
): Promise<TestAccount> {
  const address = email ?? `user-${randomUUID()}@example.com`;
  const { id } = await prisma.user.create({ data: { email: address, name, roles, active } });
  if (password !== null) await prisma.credential.create({ data: { userId: id, passwordHash: await hashPassword(password, CHEAP_SCRYPT) } });
  return { id, email: address, name, password: password ?? "", roles };
}
