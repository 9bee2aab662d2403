import { HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";
import { countRootFields } from "#lib/graphql/rootFields.js";
import { TOO_MANY_REQUESTS, type RateLimiter } from "#lib/server/rateLimit.js";
import type { GatewayContext } from "./context.js";

/**
 * Counts `login` again, on its stricter per-IP limit (`RATE_LIMIT_LOGIN`), over GraphQL and
 * REST alike: every `login` field, aliased or inside fragments (one operation with two is two
 * attempts), once the operation is parsed, so a persisted query sent by hash alone is counted
 * too. Over the limit is HTTP 429 with `Retry-After` and `RateLimit-*` headers.
 */
export function useLoginRateLimit(limiter: RateLimiter<"login">): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, response, contextValue }) {
          const ip = contextValue.clientIp;
          if (!ip || operation?.operation !== "mutation") return;
          const logins = countRootFields(document, operation, (field) => field.name.value === "login");
          if (logins === 0) return;
          // Beyond the whole allowance the answer is the same; the cap keeps the count a small integer.
          const { headers, refused, retryAfter } = await limiter.consume("login", ip, Math.min(logins, limiter.points("login") + 1));
          if (refused) {
            throw new GraphQLError(TOO_MANY_REQUESTS, {
              extensions: { code: "TOO_MANY_REQUESTS", retryAfter, http: { status: 429, headers: new HeaderMap(headers) } },
            });
          }
          // The stricter limit is the one the client needs to know about.
          for (const [header, value] of headers) response.http.headers.set(header, value);
        },
      };
    },
  };
}
