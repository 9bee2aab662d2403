/**
 * First accounts of a new installation, created by `npm run db:prepare` (and `npm start`).
 *
 * - The admin: `ADMIN_EMAIL` (default `admin@example.com`) with `ADMIN_PASSWORD` (default
 *   `admin-password` outside production; required when `NODE_ENV=production`).
 * - Outside production only, one demo account per other role, password `demo-password`:
 *   `qa@example.com` (QA), `production@example.com` (PRODUCTION), `viewer@example.com` (VIEWER).
 *
 * An account whose email exists is left alone, password included: seeding again never undoes
 * a change made since. Outside production, the demo products' specifications follow
 * (`demoSpecifications.ts`).
 */
import { randomUUID } from "node:crypto";
import type { PrepareConfig } from "#lib/config.js";
import { hashPassword, OWASP_SCRYPT, type ScryptParams } from "#lib/auth/passwords.js";
import type { PrismaClient } from "#lib/prisma.js";
import type { Role } from "#lib/auth/scopes.js";
import { ScriptError } from "./script.js";

/** An account to create when its email is not taken. */
export interface SeedAccount {
  email: string;
  name: string;
  roles: Role[];
  department?: string;
  /** Undefined when no password may be chosen for it: creating it is then refused. */
  password: string | undefined;
}

/** What seeding did with one account. */
export interface SeedOutcome {
  email: string;
  role: Role;
  status: "created" | "exists";
}

const DEMO_PASSWORD = "demo-password";

/** The demo QA user, who publishes the demo specifications (`demoSpecifications.ts`). */
export const DEMO_QA_EMAIL = "qa@example.com";

/** The accounts to seed: the admin (`ADMIN_EMAIL`, `ADMIN_PASSWORD`), plus the demo accounts outside production. */
export function seedAccounts({ production, admin: { email, password } }: Pick<PrepareConfig, "production" | "admin">): SeedAccount[] {
  const admin: SeedAccount = { email, name: "Administrator", roles: ["ADMIN"], password };
  if (production) return [admin];
  return [
    admin,
    { email: DEMO_QA_EMAIL, name: "Quinn QA", roles: ["QA"], department: "Quality Assurance", password: DEMO_PASSWORD },
    { email: "production@example.com", name: "Pat Production", roles: ["PRODUCTION"], department: "Production", password: DEMO_PASSWORD },
    { email: "viewer@example.com", name: "Val Viewer", roles: ["VIEWER"], password: DEMO_PASSWORD },
  ];
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === "P2002";

/** Creates the user and its credential together, or nothing: never half an account. */
async function createAccount(prisma: PrismaClient, account: SeedAccount, cost: ScryptParams): Promise<"created" | "exists"> {
  if (account.password === undefined) {
    throw new ScriptError(`seed: ADMIN_PASSWORD must be set to create the admin ${account.email} when NODE_ENV=production`);
  }
  const { password, ...profile } = account;
  const id = randomUUID();
  const passwordHash = await hashPassword(password, cost);
  try {
    await prisma.$transaction([
      prisma.user.create({ data: { id, ...profile, active: true } }),
      prisma.credential.create({ data: { userId: id, passwordHash } }),
    ]);
    return "created";
  } catch (err) {
    // A concurrent prepare created it first.
    if (isUniqueViolation(err)) return "exists";
    throw err;
  }
}

/**
 * Creates the accounts whose email is not taken yet; one outcome per account, in order.
 * `cost`: the scrypt cost of their password hashes (tests seed with a cheap one: a login
 * verifies at the cost the stored hash names).
 */
export async function seed(prisma: PrismaClient, accounts: SeedAccount[], cost: ScryptParams = OWASP_SCRYPT): Promise<SeedOutcome[]> {
  const outcomes: SeedOutcome[] = [];
  // One at a time: each hash takes 128 MiB of memory at OWASP's scrypt cost.
  for (const account of accounts) {
    const existing = await prisma.user.findUnique({ where: { email: account.email }, select: { id: true } });
    const status = existing ? "exists" : await createAccount(prisma, account, cost);
    outcomes.push({ email: account.email, role: account.roles[0]!, status });
  }
  return outcomes;
}
