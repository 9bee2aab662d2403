import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, type ValidationContext, type ValidationRule } from "graphql";
import { readInt, type Env } from "../../lib/config.js";
import { countRootFields } from "./rootFields.js";

/**
 * Operation limits, checked by the gateway before any query plan is built. Defaults are
 * GraphQL Armor's except depth: Armor's 6 refuses this graph's own deepest query,
 * `batches { edges { node { history { changedBy { name } } } } }` (6 levels, 7 with an inline
 * fragment), so the default leaves a few levels of room above it.
 */
export interface OperationLimits {
  /** `MAX_DEPTH`, default 10: nested selections, leaf fields and fragments included. */
  depth: number;
  /** `MAX_ALIASES`, default 15 (Armor's). */
  aliases: number;
  /** `MAX_ROOT_FIELDS`, default 10: top-level fields of one operation, those inside fragments included. */
  rootFields: number;
  /** `MAX_DIRECTIVES`, default 50 (Armor's). */
  directives: number;
  /** `MAX_TOKENS`, default 1000 (Armor's): lexical tokens, counted while parsing. */
  tokens: number;
  /** `MAX_COST`, default 5000 (Armor's estimate: objects 2, scalars 1, ×1.5 per level). */
  cost: number;
  /** `MAX_BODY_BYTES`, default 1 MiB: largest request body; larger is 413 `PAYLOAD_TOO_LARGE`. */
  bodyBytes: number;
}

export function readOperationLimits(env: Env = process.env): OperationLimits {
  return {
    depth: readInt(env, "MAX_DEPTH", 10, 1, 100),
    aliases: readInt(env, "MAX_ALIASES", 15, 0, 10_000),
    rootFields: readInt(env, "MAX_ROOT_FIELDS", 10, 1, 1_000),
    directives: readInt(env, "MAX_DIRECTIVES", 50, 0, 10_000),
    tokens: readInt(env, "MAX_TOKENS", 1000, 10, 1_000_000),
    cost: readInt(env, "MAX_COST", 5000, 1, 10_000_000),
    bodyBytes: readInt(env, "MAX_BODY_BYTES", 1_048_576, 1_024, 104_857_600),
  };
}

/** The code a refused operation carries in `extensions.code` (HTTP 400). */
export type LimitCode =
  | "MAX_DEPTH_LIMIT"
  | "MAX_ALIASES_LIMIT"
  | "MAX_ROOT_FIELDS_LIMIT"
  | "MAX_DIRECTIVES_LIMIT"
  | "MAX_COST_LIMIT"
  | "MAX_TOKENS_LIMIT";

const LIMIT_CODES = new Set<string>(["MAX_DEPTH_LIMIT", "MAX_ALIASES_LIMIT", "MAX_ROOT_FIELDS_LIMIT", "MAX_DIRECTIVES_LIMIT", "MAX_COST_LIMIT", "MAX_TOKENS_LIMIT"]);

const reportAs = (code: LimitCode) => ({
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(new GraphQLError(err.message.replace(/^Syntax Error: /, ""), { extensions: { code } }))],
});

/**
 * Refuses operations with more than `max` top-level fields (Armor has no such rule), counted
 * with fragments resolved: `{ ... on Query { a b c } }` has three.
 */
const maxRootFieldsRule =
  (max: number): ValidationRule =>
  (context) => ({
    OperationDefinition(operation) {
      const count = countRootFields(context.getDocument(), operation);
      if (count > max) {
        context.reportError(new GraphQLError(`Root field limit of ${max} exceeded, found ${count}.`, { extensions: { code: "MAX_ROOT_FIELDS_LIMIT" } }));
      }
    },
  });

/** Removes graphql-js's "Did you mean …?" from error messages: it would reveal the schema without introspection. */
const hideSuggestions: ApolloServerPlugin<any> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) error.message = error.message.replace(/ Did you mean .+\?$/, "");
      },
    };
  },
};

/**
 * What Apollo Server needs to enforce the limits: validation rules (GraphQL Armor's depth,
 * aliases, directives and cost, plus root fields), the parser's token limit, and in
 * production a plugin that removes "Did you mean …" field suggestions.
 */
export function operationLimits(limits: OperationLimits, production: boolean) {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.depth, ...reportAs("MAX_DEPTH_LIMIT") },
    maxAliases: { n: limits.aliases, ...reportAs("MAX_ALIASES_LIMIT") },
    maxDirectives: { n: limits.directives, ...reportAs("MAX_DIRECTIVES_LIMIT") },
    costLimit: { maxCost: limits.cost, ...reportAs("MAX_COST_LIMIT") },
    // Counted by graphql-js's own parser below (`parseOptions.maxTokens`), which stops early.
    maxTokens: { enabled: false },
    // Armor's leaves a stray "?" behind ("[Suggestion hidden]?"): replaced by the plugin below.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    validationRules: [...armor.validationRules, maxRootFieldsRule(limits.rootFields)] as ValidationRule[],
    plugins: [...(armor.plugins as ApolloServerPlugin<any>[]), ...(production ? [hideSuggestions] : [])],
    parseOptions: { maxTokens: limits.tokens },
  };
}

/**
 * The limit that refused an operation: Apollo Server reports every validation error as
 * `GRAPHQL_VALIDATION_FAILED` and every parse error as `GRAPHQL_PARSE_FAILED`, keeping the
 * limit's own error as `originalError`.
 */
export function limitCodeOf(error: unknown): LimitCode | undefined {
  const original = (error as GraphQLError | undefined)?.originalError as GraphQLError | undefined;
  const code = original?.extensions?.code;
  if (typeof code === "string" && LIMIT_CODES.has(code)) return code as LimitCode;
  if (original?.message?.includes("tokens. Parsing aborted")) return "MAX_TOKENS_LIMIT";
  return undefined;
}
