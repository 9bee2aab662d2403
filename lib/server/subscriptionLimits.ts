import { ApolloArmor } from "@escape.tech/graphql-armor";
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from "graphql";
import { readInt, type Env } from "../config.js";

/**
 * Operation limits of the subscriptions a subgraph serves on its own WebSocket, where a client
 * holding a token can connect without the gateway's checks. The same variables and defaults as
 * the gateway's limits (`MAX_DEPTH`, `MAX_ALIASES`, `MAX_DIRECTIVES`, `MAX_TOKENS`, `MAX_COST`),
 * so one setting bounds an operation whichever way it comes in; `MAX_ROOT_FIELDS` needs no
 * counterpart: a subscription has one root field.
 */
export interface SubscriptionLimits {
  validationRules: ValidationRule[];
  parseOptions: ParseOptions;
}

const reportAs = (code: string) => ({
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(new GraphQLError(err.message.replace(/^Syntax Error: /, ""), { extensions: { code } }))],
});

export function readSubscriptionLimits(env: Env = process.env): SubscriptionLimits {
  const armor = new ApolloArmor({
    maxDepth: { n: readInt(env, "MAX_DEPTH", 10, 1, 100), ...reportAs("MAX_DEPTH_LIMIT") },
    maxAliases: { n: readInt(env, "MAX_ALIASES", 15, 0, 10_000), ...reportAs("MAX_ALIASES_LIMIT") },
    maxDirectives: { n: readInt(env, "MAX_DIRECTIVES", 50, 0, 10_000), ...reportAs("MAX_DIRECTIVES_LIMIT") },
    costLimit: { maxCost: readInt(env, "MAX_COST", 5000, 1, 10_000_000), ...reportAs("MAX_COST_LIMIT") },
    // Counted by graphql-js's own parser (`parseOptions.maxTokens`), which stops early.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: readInt(env, "MAX_TOKENS", 1000, 10, 1_000_000) },
  };
}
