import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { RevocationRecord } from "#lib/auth/revocationRecord.js";
import type { PrismaClient } from "#lib/prisma.js";

/** A refresh token just issued; only its hash is stored. */
export interface IssuedRefreshToken {
  token: string;
  familyId: string;
  expiresIn: number;
}

/** Why a refresh token was not accepted; `reused` and `revoked` have ended the whole family. */
export type RefusedRefresh = { refused: "unknown" | "expired" } | { refused: "reused" | "revoked"; userId: string; familyId: string };

/** The next refresh token of the family, or why there is none. */
export type RotationResult = ({ refused?: undefined; userId: string } & IssuedRefreshToken) | RefusedRefresh;

const digest = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * Sign-in sessions as families of rotating refresh tokens in `auth.refresh_tokens` (a new
 * family per login). A token is good for one exchange; presenting it again is taken as theft
 * and ends its family (OAuth 2.0 Security BCP, refresh token rotation).
 */
export class Sessions {
  /**
   * @param ttlSeconds `REFRESH_TOKEN_TTL`; each rotation starts a new period
   */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly revocations: RevocationRecord,
    private readonly ttlSeconds: number,
  ) {}

  private row(userId: string, familyId: string) {
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + this.ttlSeconds * 1000);
    const data = { userId, familyId, tokenHash: digest(token), expiresAt };
    return { data, issued: { token, familyId, expiresIn: this.ttlSeconds } };
  }

  /** Starts a session: the first refresh token of a new family. */
  async start(userId: string): Promise<IssuedRefreshToken> {
    const { data, issued } = this.row(userId, randomUUID());
    await this.prisma.refreshToken.create({ data });
    return issued;
  }

  /** The user a refresh token was issued to, if it is one of ours (used, revoked or expired ones too). */
  async ownerOf(presented: string): Promise<string | undefined> {
    const row = await this.prisma.refreshToken.findUnique({ where: { tokenHash: digest(presented) }, select: { userId: true } });
    return row?.userId;
  }

  /**
   * Exchanges a refresh token for the next one of its family. The conditional update lets
   * one of two concurrent exchanges win; the other counts as reuse.
   */
  async rotate(presented: string): Promise<RotationResult> {
    const current = await this.prisma.refreshToken.findUnique({ where: { tokenHash: digest(presented) } });
    if (!current) return { refused: "unknown" };
    const { id, userId, familyId } = current;
    if (current.rotatedAt || current.revokedAt) {
      await this.endFamily(familyId);
      return { refused: current.rotatedAt ? "reused" : "revoked", userId, familyId };
    }
    if (current.expiresAt.getTime() <= Date.now()) return { refused: "expired" };
    const { data, issued } = this.row(userId, familyId);
    const won = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.refreshToken.updateMany({
        where: { id, rotatedAt: null, revokedAt: null },
        data: { rotatedAt: new Date() },
      });
      if (count !== 1) return false;
      await tx.refreshToken.create({ data });
      return true;
    });
    if (!won) {
      await this.endFamily(familyId);
      return { refused: "reused", userId, familyId };
    }
    return { userId, ...issued };
  }

  /** Ends one session (every token of its family). */
  async endFamily(familyId: string): Promise<void> {
    await this.prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  /** Ends the session a refresh token belongs to, if it is `userId`'s; tells whether it did. */
  async endFamilyOf(presented: string, userId: string): Promise<boolean> {
    const row = await this.prisma.refreshToken.findUnique({ where: { tokenHash: digest(presented) }, select: { userId: true, familyId: true } });
    if (row?.userId !== userId) return false;
    await this.endFamily(row.familyId);
    return true;
  }

  /**
   * Ends every session of a user: raises the revocation generation, revokes the refresh
   * tokens in the database, and raises the generation again. A sign-in or refresh reads the
   * generation before it touches the refresh tokens, so whatever the interleaving: its session
   * started before the database update is revoked by it; one started after it was stamped after
   * the first raise, so it sees the account as it was changed, or (when its stamp came before
   * the second raise) its access token is refused and it notices and ends its session itself.
   */
  async endAll(userId: string): Promise<void> {
    await this.revocations.revokeUser(userId);
    await this.prisma.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
    await this.revocations.revokeUser(userId);
  }

  /**
   * Deletes the sessions that can no longer be used: families whose every token expired more
   * than a day ago. A family with one live token is kept whole, so that presenting one of its
   * older tokens is still recognised as reuse. Returns how many rows went.
   */
  async purgeExpired(): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM auth.refresh_tokens t
      WHERE NOT EXISTS (
        SELECT 1 FROM auth.refresh_tokens live
        WHERE live.family_id = t.family_id AND live.expires_at > now() - interval '1 day'
      )`;
  }
}
