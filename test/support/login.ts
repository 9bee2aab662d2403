import { graphql } from "./graphql.js";

/** The login mutation every test signs in with, through a gateway or the auth subgraph. */
export const LOGIN = /* GraphQL */ `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;

/**
 * Logs in at `baseUrl` (a gateway, or the auth subgraph) and returns the access token; throws
 * with the errors otherwise. The password defaults to the seeded demo users' one.
 */
export async function login(baseUrl: string, email: string, password = "demo-password"): Promise<string> {
  const result = await graphql(baseUrl, LOGIN, { email, password });
  if (!result.data?.login) throw new Error(`login of ${email} failed: ${JSON.stringify(result.errors)}`);
  return result.data.login.accessToken as string;
}
