import { MAX_ALIASES, MAX_COST, MAX_DEPTH, MAX_DIRECTIVES, MAX_ROOT_FIELDS, MAX_TOKENS } from "./variables/limits.js";
import type { Env } from "./variable.js";

/** Limits of one GraphQL operation (see `variables/limits.ts` for each one's meaning and default). */
export interface OperationLimits {
  /** `MAX_DEPTH`, default 10: nested selections, leaf fields and fragments included. */
  depth: number;
  /** `MAX_ALIASES`, default 15. */
  aliases: number;
  /** `MAX_DIRECTIVES`, default 50. */
  directives: number;
  /** `MAX_TOKENS`, default 1000: lexical tokens, counted while parsing. */
  tokens: number;
  /** `MAX_COST`, default 5000 (GraphQL Armor's estimate: objects 2, scalars 1, ×1.5 per level). */
  cost: number;
  /** `MAX_ROOT_FIELDS`, default 10: top-level fields, those inside fragments included; absent where operations are subscriptions (one root field). */
  rootFields?: number;
}

/** The limits of subscriptions sent to a subgraph's own WebSocket: all but root fields (a subscription has one). */
export function readSubscriptionLimits(env: Env): OperationLimits {
  return {
    depth: MAX_DEPTH.read(env),
    aliases: MAX_ALIASES.read(env),
    directives: MAX_DIRECTIVES.read(env),
    tokens: MAX_TOKENS.read(env),
    cost: MAX_COST.read(env),
  };
}

/** The gateway's limits, root fields included. */
export function readOperationLimits(env: Env): Required<OperationLimits> {
  return { ...readSubscriptionLimits(env), rootFields: MAX_ROOT_FIELDS.read(env) };
}
