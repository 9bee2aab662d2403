import { buildSubgraphSchema } from "@apollo/subgraph";
import { graphql } from "graphql";
import { gql } from "graphql-tag";
import { describe, expect, it } from "vitest";
import { enforceAuthorization } from "./directives.js";
import type { Principal } from "./tokens.js";

const schema = enforceAuthorization(
  buildSubgraphSchema({
    typeDefs: gql`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated", "@requiresScopes"])
      type Secret @key(fields: "id") @authenticated { id: ID! value: String! }
      type Batch @key(fields: "id") { id: ID! cost: Int @requiresScopes(scopes: [["finance:read"], ["auth:admin"]]) }
      type Query {
        open: String
        secret: Secret
        batch: Batch @requiresScopes(scopes: [["batches:read"]])
        both: String @requiresScopes(scopes: [["a", "b"]])
      }
    `,
    resolvers: {
      Query: { open: () => "open", secret: () => ({ id: "1", value: "s" }), batch: () => ({ id: "1", cost: 7 }), both: () => "both" },
    },
  }),
);

const principal = (scopes: string[]): Principal => ({
  userId: "u1",
  email: "u@example.com",
  roles: [],
  scopes,
  jti: "j",
  iat: 0,
  exp: 0,
  generation: 0,
});

const run = async (source: string, auth: Principal | null) => {
  const { data, errors } = await graphql({ schema, source, contextValue: { auth } });
  return { data, errors: errors?.map((e) => ({ message: e.message, code: e.extensions.code })) };
};

describe("enforceAuthorization", () => {
  it("leaves fields without directives open", async () => {
    expect(await run("{ open }", null)).toEqual({ data: { open: "open" }, errors: undefined });
  });

  it("applies a type's @authenticated to the fields that return it and to its own fields", async () => {
    expect(await run("{ secret { value } }", null)).toEqual({
      data: { secret: null },
      errors: [{ message: "Sign in to read Query.secret", code: "UNAUTHENTICATED" }],
    });
    const entity = `{ _entities(representations: [{ __typename: "Secret", id: "1" }]) { ... on Secret { value } } }`;
    expect((await run(entity, null)).errors).toEqual([{ message: "Sign in to read Secret.value", code: "UNAUTHENTICATED" }]);
    expect((await run("{ secret { value } }", principal([]))).data).toEqual({ secret: { value: "s" } });
  });

  it("requires one of the scope sets, each complete", async () => {
    expect(await run("{ both }", principal(["a"]))).toEqual({
      data: { both: null },
      errors: [{ message: "Query.both requires scope a and b", code: "FORBIDDEN" }],
    });
    expect((await run("{ both }", principal(["b", "a"]))).data).toEqual({ both: "both" });
    expect((await run("{ batch { cost } }", principal(["batches:read", "auth:admin"]))).data).toEqual({ batch: { cost: 7 } });
    expect(await run("{ batch { cost } }", principal(["batches:read"]))).toEqual({
      data: { batch: { cost: null } },
      errors: [{ message: "Batch.cost requires scope finance:read or auth:admin", code: "FORBIDDEN" }],
    });
  });

  it("asks an anonymous caller to sign in before it talks about scopes", async () => {
    expect((await run("{ batch { id } }", null)).errors).toEqual([{ message: "Sign in to read Query.batch", code: "UNAUTHENTICATED" }]);
  });

  it("checks entities fetched through _entities like any other field", async () => {
    const source = `{ _entities(representations: [{ __typename: "Batch", id: "1" }]) { ... on Batch { id cost } } }`;
    expect((await run(source, principal([]))).errors).toEqual([{ message: "Batch.cost requires scope finance:read or auth:admin", code: "FORBIDDEN" }]);
  });
});
