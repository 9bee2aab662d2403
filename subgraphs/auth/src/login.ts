import { apiError } from "../../../lib/errors.js";
import type { AuthPayload } from "./__generated__/resolvers-types.js";
import type { AuthContext } from "./context.js";

/** The one answer to every failed login: which part was wrong is not told. */
const invalidLogin = () => apiError("UNAUTHENTICATED", "Invalid email or password");

/**
 * Signs a user in. An unknown email, a user without a password, a wrong password and an
 * inactive user get the same error after the same work (one scrypt), so neither the answer nor
 * its timing tells whether an account exists. The attempt is counted before the password is
 * checked, so a locked account is refused even with the right password.
 */
export async function login(ctx: AuthContext, email: string, password: string): Promise<AuthPayload> {
  const { users, credentials, throttle, sessions, issuer, logger } = ctx;
  await throttle.attempt(email, logger);
  const user = await users.byEmail(email);
  const stored = user ? await credentials.hashOf(user.id) : undefined;
  const matches = await credentials.check(password, stored);
  if (!user || !matches || !user.active) {
    const reason = !user ? "unknown email" : !stored ? "no password set" : !matches ? "wrong password" : "user inactive";
    logger.info({ userId: user?.id, reason }, "login failed");
    throw invalidLogin();
  }
  await throttle.succeeded(email);
  const payload = issuer.payload(user, await sessions.start(user.id), await issuer.stamp(user.id));
  logger.info({ userId: user.id }, "login succeeded");
  return payload;
}
