import { ApolloServerPluginDisableSuggestions } from "@apollo/server/plugin/disableSuggestions";
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ParseOptions,
  type ValidationRule,
} from "graphql";
import { apiError } from "../errors.js";

/**
 * The checks a graphql-ws server makes of a `subscribe` message before running it, on the
 * gateway and on the subgraphs alike. Each returns the client's errors, with the codes Apollo
 * Server gives the same errors over HTTP.
 */

/** Parses the query: a syntax error is `GRAPHQL_PARSE_FAILED`, a query over `maxTokens` is `MAX_TOKENS_LIMIT`. */
export function parseOperation(query: string, options?: ParseOptions): DocumentNode | GraphQLError[] {
  try {
    return parse(query, options);
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    const tooLong = err.message.includes("tokens. Parsing aborted");
    const message = tooLong ? err.message.replace(/^Syntax Error: /, "") : err.message;
    const code = tooLong ? "MAX_TOKENS_LIMIT" : "GRAPHQL_PARSE_FAILED";
    return [new GraphQLError(message, { source: err.source, positions: err.positions, extensions: { code } })];
  }
}

/**
 * Removes "Did you mean …?" from validation errors, which would reveal the schema where
 * introspection is off: Apollo Server's own plugin (the one `hideSchemaDetailsFromClientErrors`
 * installs over HTTP), run on the errors of a graphql-ws `subscribe`.
 */
async function hideSchemaDetails(errors: GraphQLError[]): Promise<void> {
  const listener = await ApolloServerPluginDisableSuggestions().requestDidStart?.({} as never);
  const validated = await listener?.validationDidStart?.({} as never);
  await validated?.(errors);
}

/**
 * Validates against `schema` with graphql-js' rules and `extraRules` (operation limits, whose
 * errors keep their own code); other errors are `GRAPHQL_VALIDATION_FAILED`. With
 * `hideSuggestions` (production), as over HTTP, without "Did you mean …?".
 */
export async function validateOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  extraRules: readonly ValidationRule[] = [],
  hideSuggestions = false,
): Promise<GraphQLError[]> {
  const errors = validate(schema, document, [...specifiedRules, ...extraRules]).map(
    (error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: "GRAPHQL_VALIDATION_FAILED", ...error.extensions } }),
  );
  if (hideSuggestions) await hideSchemaDetails(errors);
  return errors;
}

/**
 * The operation to run, which must be a subscription: queries and mutations go over HTTP, where
 * every request is authenticated, rate-limited and logged on its own.
 */
export function subscriptionOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | GraphQLError[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [apiError("BAD_REQUEST", operationName ? `Unknown operation ${operationName}` : "Name the operation to run")];
  if (operation.operation !== "subscription") {
    return [apiError("BAD_REQUEST", `Only subscriptions run over WebSocket; send the ${operation.operation} over HTTP POST /graphql`)];
  }
  return operation;
}

/** The operation's variables coerced to their types; wrong ones are `BAD_USER_INPUT`. */
export function coerceVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
): GraphQLError[] | undefined {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  return coerced.errors?.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: "BAD_USER_INPUT" } }));
}
