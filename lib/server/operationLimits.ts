import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from "graphql";
import type { OperationLimits } from "../config.js";
import { isLimitCode, type ErrorCode } from "../errors.js";
import { countRootFields } from "../graphql/rootFields.js";

/** What Apollo Server (or a graphql-ws server) needs to enforce operation limits. */
export interface OperationGuards {
  /** GraphQL Armor's depth, aliases, directives and cost, plus root fields when limited. */
  validationRules: ValidationRule[];
  /** The parser's token limit, which stops parsing early. */
  parseOptions: ParseOptions;
  /** Armor's own Apollo Server plugins. */
  plugins: ApolloServerPlugin<any>[];
}

const reportAs = (code: ErrorCode) => ({
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [
    (ctx: ValidationContext | null, err: GraphQLError) =>
      ctx?.reportError(new GraphQLError(err.message.replace(/^Syntax Error: /, ""), { extensions: { code } })),
  ],
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

/**
 * The rules that refuse operations over `limits` before anything is planned or run, each with
 * its own code (`MAX_DEPTH_LIMIT`, …): the gateway's over HTTP and WebSocket, and the production
 * subgraph's on its own WebSocket, where a client holding a token can connect without the
 * gateway's checks. "Did you mean" suggestions are Apollo Server's to hide
 * (`hideSchemaDetailsFromClientErrors`), not Armor's, which leaves a stray "?" behind.
 */
export function operationGuards(limits: OperationLimits): OperationGuards {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.depth, ...reportAs("MAX_DEPTH_LIMIT") },
    maxAliases: { n: limits.aliases, ...reportAs("MAX_ALIASES_LIMIT") },
    maxDirectives: { n: limits.directives, ...reportAs("MAX_DIRECTIVES_LIMIT") },
    costLimit: { maxCost: limits.cost, ...reportAs("MAX_COST_LIMIT") },
    // Counted by graphql-js's own parser (`parseOptions.maxTokens`), which stops early.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    validationRules: [...armor.validationRules, ...(limits.rootFields === undefined ? [] : [maxRootFieldsRule(limits.rootFields)])] as ValidationRule[],
    parseOptions: { maxTokens: limits.tokens },
    plugins: armor.plugins as ApolloServerPlugin<any>[],
  };
}

/**
 * The limit that refused an operation: Apollo Server reports every validation error as
 * `GRAPHQL_VALIDATION_FAILED` and every parse error as `GRAPHQL_PARSE_FAILED`, keeping the
 * limit's own error as `originalError`.
 */
export function limitCodeOf(error: unknown): ErrorCode | undefined {
  const original = (error as GraphQLError | undefined)?.originalError as GraphQLError | undefined;
  const code = original?.extensions?.code;
  if (isLimitCode(code)) return code;
  if (original?.message?.includes("tokens. Parsing aborted")) return "MAX_TOKENS_LIMIT";
  return undefined;
}
