import { randomBytes } from "node:crypto";
import { hashPassword, verifyPassword } from "#lib/auth/passwords.js";
import type { PrismaClient } from "#lib/prisma.js";
import type { HashQueue } from "./hashQueue.js";

/** Password hashes in `auth.credentials`; every scrypt waits its turn in the one {@link HashQueue}. */
export class Credentials {
  /**
   * A hash of a random password nobody knows, at the cost real hashes have: checking a
   * password against it takes as long as against a real one, so an unknown email answers
   * no faster than a wrong password. Computed at start so the first request is no different.
   */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly hashes: HashQueue,
  ) {
    this.dummyHash = hashes.run(() => hashPassword(randomBytes(24).toString("base64url")));
    this.dummyHash.catch(() => undefined);
  }

  /** The stored hash of a user's password, if one was set. */
  async hashOf(userId: string): Promise<string | undefined> {
    const row = await this.prisma.credential.findUnique({ where: { userId }, select: { passwordHash: true } });
    return row?.passwordHash;
  }

  /**
   * Checks a password against a stored hash, or against the dummy hash when there is none
   * (then it is always false), spending one scrypt either way. Rejects with SERVICE_UNAVAILABLE
   * when the hash queue is full.
   */
  async check(password: string, stored: string | undefined): Promise<boolean> {
    const hash = stored ?? (await this.dummyHash);
    const matches = await this.hashes.run(() => verifyPassword(password, hash));
    return matches && stored !== undefined;
  }

  /** Stores a new password; tells whether the user had one before. */
  async set(userId: string, password: string): Promise<{ replaced: boolean }> {
    const passwordHash = await this.hashes.run(() => hashPassword(password));
    const before = await this.prisma.credential.findUnique({ where: { userId }, select: { userId: true } });
    await this.prisma.credential.upsert({
      where: { userId },
      create: { userId, passwordHash },
      update: { passwordHash, passwordChangedAt: new Date() },
    });
    return { replaced: before !== null };
  }
}
