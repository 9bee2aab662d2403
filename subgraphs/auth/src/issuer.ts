import type { RevocationRecord } from "#lib/auth/revocationRecord.js";
import { signAccessToken, type TokenAudience } from "#lib/auth/tokens.js";
import type { AuthPayload } from "./__generated__/resolvers-types.js";
import type { SigningKey } from "./keys.js";
import type { IssuedRefreshToken } from "./sessions.js";
import type { Account } from "./users.js";

/**
 * A user's revocation generation and when it was read. Read it before reading the account a
 * token will describe: a revocation that lands after this read refuses the token, and one that
 * landed before it was committed before the account was read.
 */
export interface IssueStamp {
  userId: string;
  generation: number;
  /** When the generation was read, seconds since the epoch: the token's `iat`. */
  issuedAt: number;
}

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
    private readonly revocations: RevocationRecord,
  ) {}

  /** Reads the user's revocation generation, the first step of issuing a token. */
  async stamp(userId: string): Promise<IssueStamp> {
    const issuedAt = Math.floor(Date.now() / 1000);
    return { userId, generation: await this.revocations.generation(userId), issuedAt };
  }

  /** Whether no user-wide revocation happened since the stamp was read. */
  async stillCurrent(stamp: IssueStamp): Promise<boolean> {
    return (await this.revocations.generation(stamp.userId)) === stamp.generation;
  }

  /**
   * A new access token under a stamp. It is dated when the stamp was read, so that every token
   * of a generation expires within `ACCESS_TOKEN_TTL` of the revocation that ends it, however
   * long the sign-in took in between (a queue of password hashes).
   */
  accessToken(user: Account, { userId, generation, issuedAt }: IssueStamp): string {
    if (userId !== user.id) throw new Error("access token stamped for another user");
    return signAccessToken(user, {
      privateKey: this.key.privateKey,
      kid: this.key.kid,
      issuer: this.audience.issuer,
      audience: this.audience.audience,
      ttlSeconds: this.ttlSeconds,
      issuedAt,
      generation,
    });
  }

  /** The payload for a user, the refresh token just issued to them, and a stamp read before either. */
  payload(user: Account, refresh: IssuedRefreshToken, stamp: IssueStamp): AuthPayload {
    return {
      accessToken: this.accessToken(user, stamp),
      tokenType: "Bearer",
      // Less than the TTL by the time the sign-in took since the stamp.
      expiresIn: Math.max(0, stamp.issuedAt + this.ttlSeconds - Math.floor(Date.now() / 1000)),
      refreshToken: refresh.token,
      refreshExpiresIn: refresh.expiresIn,
      userId: user.id,
      deviceToken: null,
    };
  }
}
