import { apiError } from "../../../lib/errors.js";
import type { AuthPayload } from "./__generated__/resolvers-types.js";
import type { AuthContext } from "./context.js";

/** The one answer to every failed login: which part was wrong is not told. */
const invalidLogin = () => apiError("UNAUTHENTICATED", "Invalid email or password");

/** The id an unknown email is looked up under, so that its sign-in costs the same reads. */
const NO_USER = "00000000-0000-0000-0000-000000000000";

/**
 * Signs a user in. An unknown email, a user without a password, a wrong password and an
 * inactive user get the same error after the same work (one scrypt), so neither the answer nor
 * its timing tells whether an account exists. The attempt is counted before the password is
 * checked, so a locked account is refused even with the right password.
 *
 * The outcome agrees with any deactivation or role change committed before the token is
 * issued. The user's revocation generation is read first; the account (active, roles) is read
 * again after the password check, which may have waited in the hash queue; the token carries
 * that generation. The user subgraph commits such a change, then revokes: a change committed
 * after the second read is followed by a revocation that refuses the token, and one committed
 * before it is what the token says. A revocation that lands while the session is being started
 * ends that session too, and the sign-in is refused rather than answered with a dead token.
 */
export async function login(ctx: AuthContext, email: string, password: string): Promise<AuthPayload> {
  const { users, credentials, throttle, sessions, issuer, logger } = ctx;
  await throttle.attempt(email, logger);
  const id = (await users.byEmail(email))?.id ?? NO_USER;
  const stamp = await issuer.stamp(id);
  const stored = await credentials.hashOf(id);
  const matches = await credentials.check(password, stored);
  const user = await users.byId(id);
  if (!user || !matches || !user.active) {
    const reason = !user ? "unknown email" : !stored ? "no password set" : !matches ? "wrong password" : "user inactive";
    logger.info({ userId: user?.id, reason }, "login failed");
    throw invalidLogin();
  }
  await throttle.succeeded(email);
  const session = await sessions.start(user.id);
  if (!(await issuer.stillCurrent(stamp))) {
    await sessions.endFamily(session.familyId);
    logger.info({ userId: user.id }, "login refused: the account's sessions were revoked during the sign-in");
    throw apiError("UNAUTHENTICATED", "The account changed during sign-in; sign in again");
  }
  const payload = issuer.payload(user, session, stamp);
  logger.info({ userId: user.id }, "login succeeded");
  return payload;
}
