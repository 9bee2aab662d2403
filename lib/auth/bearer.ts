/**
 * The token of an `Authorization: Bearer <token>` value (RFC 6750: the scheme in any case, then
 * the token); `undefined` for anything else. Every place that reads a bearer token goes through
 * here: HTTP requests, graphql-ws `connectionParams`, the `/metrics` token.
 */
export function bearerToken(authorization: string): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
}
