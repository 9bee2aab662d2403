import type { QaContext } from "./context.js";

/**
 * The verified caller's id, for a write: the SDL's `@requiresScopes` has let only signed-in
 * callers through, so a missing one is a bug (an internal error), not the client's.
 */
export function callerId(ctx: Pick<QaContext, "auth">): string {
  if (!ctx.auth) throw new Error("a change reached a resolver without a verified caller");
  return ctx.auth.userId;
}
