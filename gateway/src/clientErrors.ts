import { createHash } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import type { RequestHandler } from "express";
import { refuse } from "#lib/server/jsonBody.js";
import { GraphQLError, Kind } from "graphql";

/**
 * Mistakes of clients that Apollo Server (or `@apollo/gateway` under it) would answer with a
 * 500 or a masked `INTERNAL_SERVER_ERROR`, answered instead with a 4xx and a code a client can
 * act on. Apollo's own checks of everything else (body shape, GET parameters, variables) already
 * answer 400 `BAD_REQUEST` or `BAD_USER_INPUT`.
 */

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** The GraphQL request of a POST body or GET parameters, as far as it can be read here. */
function graphqlRequest(req: Parameters<RequestHandler>[0]): { query?: unknown; extensions?: unknown } | undefined {
  if (req.method === "POST") {
    const body: unknown = req.body;
    return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as { query?: unknown; extensions?: unknown }) : undefined;
  }
  const { query, extensions } = req.query as Record<string, unknown>;
  if (typeof extensions !== "string") return undefined;
  try {
    return { query, extensions: JSON.parse(extensions) };
  } catch {
    return undefined; // Apollo Server answers that one itself.
  }
}

/**
 * The automatic-persisted-query extension, checked before Apollo Server looks at it: Apollo
 * answers a wrong version and a hash that does not match the query with errors that have no
 * code (masked as internal errors), and looks any string up in Redis as a hash. A falsy
 * `persistedQuery` is ignored, as Apollo ignores it.
 */
export const checkPersistedQuery: RequestHandler = (req, res, next) => {
  const request = graphqlRequest(req);
  const persisted = (request?.extensions as { persistedQuery?: unknown } | undefined)?.persistedQuery;
  if (!request || !persisted) return next();
  const { version, sha256Hash } = persisted as { version?: unknown; sha256Hash?: unknown };
  if (typeof persisted !== "object" || version !== 1) {
    return refuse(res, 400, "BAD_REQUEST", "Unsupported persisted query version; only version 1 is supported.");
  }
  if (typeof sha256Hash !== "string" || !SHA256_HEX.test(sha256Hash)) {
    return refuse(res, 400, "BAD_REQUEST", "persistedQuery.sha256Hash must be 64 hexadecimal characters.");
  }
  if (typeof request.query === "string" && createHash("sha256").update(request.query).digest("hex") !== sha256Hash) {
    return refuse(res, 400, "PERSISTED_QUERY_HASH_MISMATCH", "The query does not match persistedQuery.sha256Hash.");
  }
  next();
};

/** Longest operation name repeated in an error message. */
const MAX_ECHOED_NAME = 100;

/**
 * An operation `/graphql` over HTTP cannot run, refused with a 400 where `@apollo/gateway`
 * would throw an internal error: a document whose operation cannot be chosen (several
 * operations and no `operationName`, or an `operationName` it does not hold) is
 * `OPERATION_RESOLUTION_FAILURE`, the code Apollo Server gives it without a gateway (and the
 * subgraphs give it); a subscription is `BAD_REQUEST` (subscriptions are served over graphql-ws).
 */
export const useRunnableOperation = (): ApolloServerPlugin => ({
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, document, request }) {
        if (operation?.operation === "subscription") {
          throw new GraphQLError("Subscriptions are served over WebSocket (graphql-ws) on /graphql, not over HTTP.", {
            extensions: { code: "BAD_REQUEST", http: { status: 400 } },
          });
        }
        if (operation) return;
        const name = request.operationName;
        const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
        const message = name
          ? name.length <= MAX_ECHOED_NAME
            ? `Unknown operation named "${name}".`
            : "Unknown operation name."
          : operations > 1
            ? "Must provide operation name if query contains multiple operations."
            : "Must provide an operation.";
        throw new GraphQLError(message, { extensions: { code: "OPERATION_RESOLUTION_FAILURE", http: { status: 400 } } });
      },
    };
  },
});
