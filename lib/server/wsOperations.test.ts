import { buildSchema, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { validateOperation } from "./wsOperations.js";

const schema = buildSchema(/* GraphQL */ `
  type Query { name: String }
  type Subscription { batchCreated: String }
`);

describe("validating a graphql-ws subscription", () => {
  it("keeps graphql-js' suggestions in development", async () => {
    const errors = await validateOperation(schema, parse("subscription { batchCreatd }"));
    expect(errors.map((e) => e.toJSON())).toEqual([
      {
        message: 'Cannot query field "batchCreatd" on type "Subscription". Did you mean "batchCreated"?',
        locations: [{ line: 1, column: 16 }],
        extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
      },
    ]);
  });

  it("hides them in production, as Apollo Server does over HTTP, so the schema is not revealed", async () => {
    const errors = await validateOperation(schema, parse("subscription { batchCreatd }"), [], true);
    expect(errors.map((e) => e.toJSON())).toEqual([
      {
        message: 'Cannot query field "batchCreatd" on type "Subscription".',
        locations: [{ line: 1, column: 16 }],
        extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
      },
    ]);
  });
});
