import { readFileSync } from "node:fs";
import { Kind, parse, validate, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { SUPERGRAPH_PATH, supergraphApiSchema } from "./apiSchema.js";
import * as generated from "./__generated__/graphql.js";

/**
 * Every GraphQL document of the REST tables (`graphql(...)` in `rest/routes/`, as codegen
 * emitted it: each operation with the fragments it spreads) against the API schema of the
 * checked-in supergraph. A change of a subgraph's SDL that breaks a legacy endpoint fails
 * here, in a unit test, once `npm run compose` has written the new supergraph.
 */
const operations = Object.entries(generated)
  .flatMap(([name, value]) => (value instanceof generated.TypedDocumentString ? [{ name, document: parse(value.toString()) }] : []))
  .filter(({ document }) => document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION));

const sdl = readFileSync(SUPERGRAPH_PATH, "utf8");
const schema = supergraphApiSchema(sdl);

/** The messages of every document that `schema` refuses, by document. */
const refusals = (against: GraphQLSchema) =>
  Object.fromEntries(
    operations.flatMap(({ name, document }) => {
      const errors = validate(against, document);
      return errors.length > 0 ? [[name, errors.map((error) => error.message)]] : [];
    }),
  );

describe("the REST route documents", () => {
  it("are every operation of the tables", () => {
    expect(operations.map(({ name }) => name).sort()).toEqual(
      [
        "LoginDocument",
        "VerifyTokenDocument",
        "LogoutDocument",
        "ListUsersDocument",
        "GetUserDocument",
        "CreateUserDocument",
        "UpdateUserDocument",
        "DeleteUserDocument",
        "ListBatchesDocument",
        "GetBatchDocument",
        "CreateBatchDocument",
        "UpdateBatchDocument",
        "ChangeBatchStatusDocument",
        "UpdateThenChangeBatchStatusDocument",
      ].sort(),
    );
  });

  it.each(operations)("$name is valid against the supergraph's API schema", ({ document }) => {
    expect(validate(schema, document).map((error) => error.message)).toEqual([]);
  });

  it("are all valid, as one check", () => {
    expect(refusals(schema)).toEqual({});
  });

  it("fail on a breaking change of the schema: a field of every batch response renamed", () => {
    const renamed = supergraphApiSchema(sdl.replace(/^ {2}yield: Float( @join__field\(graph: PRODUCTION\))?$/m, "  yields: Float$1"));
    const message = 'Cannot query field "yield" on type "Batch". Did you mean "yields" or "id"?';
    expect(refusals(renamed)).toEqual({
      ListBatchesDocument: [message],
      GetBatchDocument: [message],
      CreateBatchDocument: [message],
      UpdateBatchDocument: [message],
      ChangeBatchStatusDocument: [message],
      UpdateThenChangeBatchStatusDocument: [message],
    });
  });
});
