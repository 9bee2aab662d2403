import { apiError } from "#lib/errors.js";
import type { RevocationRecord } from "#lib/auth/revocationRecord.js";
import type { Principal } from "#lib/auth/tokens.js";
import type { TokenVerifier } from "#lib/auth/verifier.js";
import type { RequestContext } from "#lib/server/subgraph.js";
import type { Credentials } from "./credentials.js";
import type { DeviceTokens } from "./deviceTokens.js";
import type { TokenIssuer } from "./issuer.js";
import type { Sessions } from "./sessions.js";
import type { LoginThrottle } from "./throttle.js";
import type { Users } from "./users.js";

/** The long-lived parts of the auth subgraph the resolvers work with. */
export interface AuthServices {
  users: Users;
  credentials: Credentials;
  sessions: Sessions;
  throttle: LoginThrottle;
  deviceTokens: DeviceTokens;
  issuer: TokenIssuer;
  verifier: TokenVerifier;
  revocations: RevocationRecord;
}

/** What the auth resolvers get with each request. */
export interface AuthContext extends RequestContext, AuthServices {}

/**
 * The caller of a field the SDL marks `@authenticated` or `@requiresScopes`. The directive has
 * already refused anonymous calls; this only tells TypeScript so.
 */
export function caller(ctx: AuthContext): Principal {
  if (!ctx.auth) throw new Error("field resolved without a caller: is its authorization directive missing?");
  return ctx.auth;
}

/**
 * The caller of a field only a person may call (an electronic signature): as {@link caller},
 * and a service token, which acts for no user, is FORBIDDEN.
 */
export function userCaller(ctx: AuthContext, field: string): Principal {
  const auth = caller(ctx);
  if (auth.service) throw apiError("FORBIDDEN", `${field} needs a user's own access token; a service token acts for no user`);
  return auth;
}
