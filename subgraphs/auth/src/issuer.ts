import type { Revocations } from "../../../lib/auth/revocation.js";
import { signAccessToken, type TokenAudience } from "../../../lib/auth/tokens.js";
import type { AuthPayload } from "./__generated__/resolvers-types.js";
import type { SigningKey } from "./keys.js";
import type { IssuedRefreshToken } from "./sessions.js";
import type { Account } from "./users.js";

/** Signs access tokens and assembles what `login` and `refreshToken` return. */
export class TokenIssuer {
  /**
   * @param audience issuer and audience of the deployment (`JWT_ISSUER`, `JWT_AUDIENCE`)
   * @param ttlSeconds `ACCESS_TOKEN_TTL`
   */
  constructor(
    private readonly key: SigningKey,
    private readonly audience: TokenAudience,
    private readonly ttlSeconds: number,
    private readonly revocations: Revocations,
  ) {}

  /**
   * A new access token. A user-wide revocation refuses every token issued up to its second,
   * so a token issued in that same second is dated one second later, or it would be refused.
   */
  async accessToken(user: Account): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const revokedAt = (await this.revocations.userRevokedAt(user.id)) ?? 0;
    return signAccessToken(user, {
      privateKey: this.key.privateKey,
      kid: this.key.kid,
      issuer: this.audience.issuer,
      audience: this.audience.audience,
      ttlSeconds: this.ttlSeconds,
      issuedAt: Math.max(now, revokedAt + 1),
    });
  }

  /** The payload for a user and the refresh token just issued to them. */
  async payload(user: Account, refresh: IssuedRefreshToken): Promise<AuthPayload> {
    return {
      accessToken: await this.accessToken(user),
      tokenType: "Bearer",
      expiresIn: this.ttlSeconds,
      refreshToken: refresh.token,
      refreshExpiresIn: refresh.expiresIn,
      userId: user.id,
    };
  }
}
