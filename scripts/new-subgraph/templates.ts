import type { SubgraphNames } from "./names.js";

/**
 * The files every subgraph starts with (CONVENTIONS.md, "Every subgraph has the same shape"), by
 * path from the project's root: its SDL, `src/{index,server,context}.ts`, its resolvers and a
 * first test. The SDL's first field is a placeholder that shows the whole path works
 * (gateway, token, resolver); the service's own types replace it.
 */
export function subgraphFiles({ name, pascal, port }: SubgraphNames): Record<string, string> {
  const dir = `subgraphs/${name}`;
  return {
    [`${dir}/schema.graphql`]: `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@authenticated", "@requiresScopes"])

"""
A point in time, as an ISO 8601 string in UTC, for example \`2026-01-31T08:15:00.000Z\`.
"""
scalar DateTime

type Query {
  """
  The ${name} service as it answered this request. A first field that shows the way from the
  gateway to the ${name} subgraph works; any signed-in caller may ask.
  """
  ${name}Service: ${pascal}Service! @authenticated
}

"""
The ${name} subgraph (port ${port}, PostgreSQL schema \`${name}\`).
"""
type ${pascal}Service {
  "The subgraph's name, \`${name}\`."
  name: String!
  "When the subgraph answered."
  answeredAt: DateTime!
}
`,
    [`${dir}/src/index.ts`]: `import { runSubgraph } from "#lib/server/main.js";
import { create${pascal}Server } from "./server.js";

await runSubgraph("${name}", create${pascal}Server);
`,
    [`${dir}/src/server.ts`]: `import { TokenVerifier } from "#lib/auth/verifier.js";
import type { ${pascal}Config } from "#lib/config.js";
import { loadSchema } from "#lib/server/schema.js";
import type { Runtime } from "#lib/server/runtime.js";
import { createSubgraphServer, type SubgraphServer } from "#lib/server/subgraph.js";
import type { ${pascal}Context } from "./context.js";
import { resolvers } from "./resolvers/index.js";

export const typeDefs = loadSchema(import.meta.url, "../schema.graphql");

/** The ${name} subgraph (port ${port}). */
export function create${pascal}Server(runtime: Runtime<${pascal}Config>): SubgraphServer {
  const { config, prisma, revocations } = runtime;
  return createSubgraphServer<${pascal}Context>(runtime, {
    typeDefs,
    resolvers,
    verifier: TokenVerifier.fromJwks(config, revocations),
    context: (base) => ({ ...base, prisma }),
  });
}
`,
    [`${dir}/src/context.ts`]: `import type { PrismaClient } from "#lib/prisma.js";
import type { RequestContext } from "#lib/server/subgraph.js";

/** What the ${name} resolvers get with each request. */
export interface ${pascal}Context extends RequestContext {
  prisma: PrismaClient;
}
`,
    [`${dir}/src/resolvers/index.ts`]: `import type { Resolvers } from "../__generated__/resolvers-types.js";
import { DateTime } from "#lib/graphql/dateTime.js";
import { Query } from "./Query.js";

export const resolvers: Resolvers = { DateTime, Query };
`,
    [`${dir}/src/resolvers/Query.ts`]: `import type { QueryResolvers } from "../__generated__/resolvers-types.js";

export const Query: QueryResolvers = {
  ${name}Service: () => ({ name: "${name}", answeredAt: new Date() }),
};
`,
    [`${dir}/test/server.int.test.ts`]: `import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAccessToken } from "#lib/auth/tokens.js";
import { startFakeAuth, type FakeAuth } from "../../../test/support/fakeAuth.js";
import { graphql } from "../../../test/support/graphql.js";
import { startInProcessSubgraph, type InProcessSubgraph } from "../../../test/support/inProcessSubgraph.js";
import { create${pascal}Server } from "../src/server.js";

describe("the ${name} subgraph", () => {
  let auth: FakeAuth;
  let ${name}: InProcessSubgraph<"${name}">;

  beforeAll(async () => {
    auth = await startFakeAuth();
    ${name} = await startInProcessSubgraph("${name}", create${pascal}Server, { AUTH_URL: auth.url });
  });

  afterAll(async () => {
    await ${name}?.stop();
    await auth?.stop();
  });

  const token = () =>
    signAccessToken(
      { id: "6f1c1b9e-52d5-4a53-9d55-0f6c3f1f9a01", email: "viewer@example.com", roles: ["VIEWER"] },
      { privateKey: auth.privateKey, kid: auth.kid, issuer: ${name}.runtime.config.issuer, audience: ${name}.runtime.config.audience, ttlSeconds: 60 },
    );

  it("answers a signed-in caller", async () => {
    const result = await graphql(${name}.url, "{ ${name}Service { name answeredAt } }", {}, token());
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ ${name}Service: { name: "${name}", answeredAt: expect.any(String) } });
  });

  it("refuses a caller without a token", async () => {
    const result = await graphql(${name}.url, "{ ${name}Service { name } }");
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
`,
  };
}
