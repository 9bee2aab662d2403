import { apiError } from "#lib/errors.js";
import { checkText } from "#lib/graphql/text.js";
import type { AuthPayload } from "./__generated__/resolvers-types.js";
import type { AuthContext } from "./context.js";
import type { ThrottleKey } from "./throttle.js";

/** The one answer to every failed login: which part was wrong is not told. */
const invalidLogin = () => apiError("UNAUTHENTICATED", "Invalid email or password");

/** The id an unknown email is looked up under, so that its sign-in costs the same reads. */
const NO_USER = "00000000-0000-0000-0000-000000000000";

/** Longest email address accepted (RFC 5321 path limit), as the user subgraph stores them. */
export const MAX_EMAIL_LENGTH = 254;

/** What a client sends to sign in. */
export interface LoginInput {
  email: string;
  password: string;
  /** A device token of an earlier sign-in on the same device, if any. */
  deviceToken?: string | null;
}

/**
 * Signs a user in. An unknown email, a user without a password, a wrong password and an
 * inactive user get the same error after the same work (one scrypt), so neither the answer nor
 * its timing tells whether an account exists; failures count against the email whether or not
 * it is an account's. A valid device token of the account counts the attempt against that
 * device instead (see `LoginThrottle`); a delayed attempt is refused before any hash.
 *
 * The outcome agrees with any deactivation or role change committed before the token is
 * issued. The user's revocation generation is read first; the account (active, roles) is read
 * again after the password check, which may have waited in the hash queue; the token carries
 * that generation. The user subgraph commits such a change, then revokes: a change committed
 * after the second read is followed by a revocation that refuses the token, and one committed
 * before it is what the token says. A revocation that lands while the session is being started
 * ends that session too, and the sign-in is refused rather than answered with a dead token.
 */
export async function login(ctx: AuthContext, { email, password, deviceToken }: LoginInput): Promise<AuthPayload> {
  const { users, credentials, throttle, deviceTokens, sessions, issuer, logger } = ctx;
  const address = checkText("email", email, { max: MAX_EMAIL_LENGTH });
  const id = (await users.byEmail(address))?.id ?? NO_USER;
  const device = deviceTokens.deviceOf(deviceToken, id);
  const key: ThrottleKey = device ? { device } : { email: address };
  await throttle.attempt(key, logger);
  const stamp = await issuer.stamp(id);
  const stored = await credentials.hashOf(id);
  const matches = await credentials.check(password, stored);
  const user = await users.byId(id);
  if (!user || !matches || !user.active) {
    const reason = !user ? "unknown email" : !stored ? "no password set" : !matches ? "wrong password" : "user inactive";
    const failures = await throttle.failed(key);
    logger.info({ userId: user?.id, reason, failures, device: device !== undefined }, "login failed");
    throw invalidLogin();
  }
  await throttle.succeeded(key);
  const session = await sessions.start(user.id);
  if (!(await issuer.stillCurrent(stamp))) {
    await sessions.endFamily(session.familyId);
    logger.info({ userId: user.id }, "login refused: the account's sessions were revoked during the sign-in");
    throw apiError("UNAUTHENTICATED", "The account changed during sign-in; sign in again");
  }
  const payload = { ...issuer.payload(user, session, stamp), deviceToken: deviceTokens.issue(user.id) };
  logger.info({ userId: user.id, device: device !== undefined }, "login succeeded");
  return payload;
}
