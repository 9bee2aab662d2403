import { apiError } from "#lib/errors.js";
import type { SignatureConfirmation } from "./__generated__/resolvers-types.js";
import { userCaller, type AuthContext } from "./context.js";
import type { ThrottleKey } from "./throttle.js";

const FIELD = "Mutation.confirmSignature";

/**
 * Confirms an electronic signature (21 CFR Part 11 §11.200(a)(1)): the password re-entered by
 * the owner of the caller's access token, checked as at login (one scrypt in the hash queue).
 *
 * Wrong passwords count against the signer under a throttle key of their own: a stolen access
 * token cannot be used to guess the password faster than logins allow, and signing does not
 * delay the account's logins (nor logins its signatures). A delayed attempt is refused before any
 * hash, with the login's error. The account is read after the check, which may have waited in
 * the hash queue, so a deactivation committed meanwhile refuses the signature; an inactive
 * account is refused whatever the password, without counting a failure, so the answer tells
 * nothing about the password.
 */
export async function confirmSignature(ctx: AuthContext, password: string): Promise<SignatureConfirmation> {
  const { users, credentials, throttle, logger } = ctx;
  const { userId } = userCaller(ctx, FIELD);
  const key: ThrottleKey = { signer: userId };
  await throttle.attempt(key, logger);
  const stored = await credentials.hashOf(userId);
  const matches = await credentials.check(password, stored);
  const signer = await users.signer(userId);
  if (!signer?.active) {
    logger.info({ userId, reason: signer ? "user inactive" : "unknown user" }, "signature refused");
    throw apiError("UNAUTHENTICATED", "Signature refused: the account is inactive");
  }
  if (!matches) {
    const failures = await throttle.failed(key);
    logger.info({ userId, reason: stored ? "wrong password" : "no password set", failures }, "signature refused");
    throw apiError("UNAUTHENTICATED", "Signature refused: wrong password");
  }
  await throttle.succeeded(key);
  const confirmedAt = new Date();
  logger.info({ userId }, "signature confirmed");
  return { userId: signer.id, name: signer.name, email: signer.email, confirmedAt };
}
