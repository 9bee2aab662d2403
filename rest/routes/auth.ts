import type { Request } from "express";
import { toSnakeKeys } from "../engine/caseConversion.js";
import { array, boolean, integer, nullable, object, string } from "../engine/jsonSchema.js";
import { run } from "../engine/operation.js";
import { restRoute, type RestRoute } from "../engine/route.js";
import { graphql } from "../__generated__/gql.js";

/** The legacy REST endpoints of the auth service, each one GraphQL operation of its subgraph. */

const body = (req: Request): Record<string, unknown> => req.body ?? {};

const TOKEN_RESPONSE = object({
  access_token: string("Signed JWT to send as `Authorization: Bearer <access_token>`."),
  token_type: string("Always `Bearer`."),
  expires_in: integer("Seconds until the access token expires."),
  refresh_token: string("Single-use token for the GraphQL `refreshToken` mutation."),
  user_id: string("The signed-in user's id."),
  device_token: string(
    "Marks this device as one the user signed in from: send it as `device_token` next time, and a sign-in from it is accepted while the account is under failure delays.",
  ),
});

const VERIFY_RESPONSE = object(
  {
    valid: boolean("Whether the token is genuine, unexpired and not revoked."),
    reason: string("Why the token is not valid: `token expired`, `token revoked` or `invalid token`; only when `valid` is false."),
    user_id: nullable(string("The user the token speaks for; null when not valid.")),
    email: nullable(string("The user's email when the token was issued; null when not valid.")),
    roles: array(string("A role."), "The user's roles when the token was issued; empty when not valid."),
    scopes: array(string("A scope."), "The scopes the token grants; empty when not valid."),
    expires_at: nullable(string("When the token expires (ISO 8601); null when not valid.", { format: "date-time" })),
  },
  ["reason"],
);

export const authRoutes: RestRoute[] = [
  restRoute({
    method: "post",
    path: "/api/auth/login",
    summary: "Sign in with email and password",
    description:
      "After repeated failures each attempt must wait longer (429 with `Retry-After`), unless it comes with the `device_token` of an earlier sign-in on this device. 503 with `Retry-After` when sign-in is busy.",
    tag: "auth",
    operation: (req) =>
      run(
        graphql(`
          mutation Login($email: String!, $password: String!, $deviceToken: String) {
            login(email: $email, password: $password, deviceToken: $deviceToken) { accessToken tokenType expiresIn refreshToken userId deviceToken }
          }
        `),
        { email: body(req).email, password: body(req).password, deviceToken: body(req).device_token },
      ),
    result: ({ login }) => ({ status: 200, body: toSnakeKeys(login) }),
    body: {
      required: true,
      schema: object(
        {
          email: string("The account's email."),
          password: string("The account's password."),
          device_token: string("The `device_token` of an earlier sign-in of this account on this device."),
        },
        ["device_token"],
      ),
    },
    response: { status: 200, description: "Signed in.", schema: TOKEN_RESPONSE },
    errors: [400, 401, 422, 429, 503],
    authenticated: false,
  }),
  restRoute({
    method: "post",
    path: "/api/auth/verify",
    summary: "Check an access token",
    description: "Never fails for a bad token: answers `valid: false` with the `reason`.",
    tag: "auth",
    operation: (req) =>
      run(
        graphql(`
          query VerifyToken($token: String!) {
            verifyToken(token: $token) { valid reason userId email roles scopes expiresAt }
          }
        `),
        { token: body(req).token },
      ),
    result: ({ verifyToken: { reason, ...info } }) => ({
      status: 200,
      body: { ...toSnakeKeys<Record<string, unknown>>(info), ...(info.valid ? {} : { reason }) },
    }),
    body: { required: true, schema: object({ token: string("The access token, without `Bearer `.") }) },
    response: { status: 200, description: "What the token says.", schema: VERIFY_RESPONSE },
    errors: [400, 422],
    authenticated: false,
  }),
  restRoute({
    method: "post",
    path: "/api/auth/logout",
    summary: "Sign out",
    description: "The bearer token is refused from now on; the sign-in of `refresh_token`, when given, ends.",
    tag: "auth",
    operation: (req) =>
      run(
        graphql(`
          mutation Logout($refreshToken: String) {
            logout(refreshToken: $refreshToken)
          }
        `),
        { refreshToken: body(req).refresh_token },
      ),
    result: () => ({ status: 204 }),
    body: { required: false, schema: object({ refresh_token: string("The refresh token to end too.") }, ["refresh_token"]) },
    response: { status: 204, description: "Signed out." },
    errors: [400, 401, 422],
    authenticated: true,
  }),
];
