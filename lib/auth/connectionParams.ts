import { bearerToken } from "./bearer.js";

/**
 * The bearer token of a graphql-ws connection, from its `connectionParams`: either
 * `{ authorization: "Bearer <token>" }` (what HTTP clients already send, and what the gateway
 * forwards) or `{ token: "<token>" }`. `undefined` when neither is there.
 */
export function tokenFromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const authorization = params?.authorization ?? params?.Authorization;
  if (typeof authorization === "string") return bearerToken(authorization);
  return typeof params?.token === "string" && params.token !== "" ? params.token : undefined;
}
