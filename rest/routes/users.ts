import type { ResultOf } from "@graphql-typed-document-node/core";
import type { Request } from "express";
import { toCamelKeys, toSnakeKeys } from "../engine/caseConversion.js";
import { found } from "../engine/errors.js";
import { bodyInput, created } from "../engine/mapping.js";
import { array, boolean, nullable, object, page, string } from "../engine/jsonSchema.js";
import { legacyPage, PAGE_PARAMETERS, pageVariables, queryBoolean, queryString } from "../engine/query.js";
import { run } from "../engine/operation.js";
import { restRoute, type RestParameter, type RestRoute } from "../engine/route.js";
import { graphql } from "../__generated__/gql.js";

/** The legacy REST endpoints of the user service, each one GraphQL operation of its subgraph. */

/** The fields of a user in every legacy response, spread as `...LegacyUser`. */
export const LegacyUser = graphql(`
  fragment LegacyUser on User { id email name roles department active createdAt updatedAt }
`);

const ROLE = string("A role.", { enum: ["ADMIN", "QA", "PRODUCTION", "VIEWER"] });

const USER = object({
  id: string("Stable identifier (a UUID).", { format: "uuid" }),
  email: string("Sign-in address, lower-cased."),
  name: string("Display name."),
  roles: array(ROLE, "The roles the user holds."),
  department: nullable(string("Department.")),
  active: boolean("Whether the user may sign in; deleted users are kept, inactive."),
  created_at: string("When the user was created.", { format: "date-time" }),
  updated_at: string("When the user was last changed.", { format: "date-time" }),
});

const USER_FIELDS = {
  email: string("Sign-in address; trimmed, lower-cased, unique.", { maxLength: 254 }),
  name: string("Display name; not blank.", { maxLength: 100 }),
  roles: array(ROLE, "Roles; at least one."),
  department: nullable(string("Department; null clears it.", { maxLength: 100 })),
};

const ID: RestParameter = { name: "id", in: "path", description: "The user's id.", schema: string("A UUID.") };

const USER_ERRORS = [401, 403, 404, 422];

const legacyUser = (user: ResultOf<typeof LegacyUser>) => toSnakeKeys(user);
const withId = (req: Request) => ({ id: req.params.id });

export const userRoutes: RestRoute[] = [
  restRoute({
    method: "get",
    path: "/api/users",
    summary: "List users, by email, a page at a time",
    tag: "users",
    operation: (req) =>
      run(
        graphql(`
          query ListUsers($search: String, $role: Role, $active: Boolean, $first: Int, $offset: Int) {
            users(search: $search, role: $role, active: $active, first: $first, offset: $offset) {
              totalCount
              nodes { ...LegacyUser }
            }
          }
        `),
        {
          ...pageVariables(req).variables,
          search: queryString(req, "search"),
          role: queryString(req, "role"),
          active: queryBoolean(req, "active"),
        },
      ),
    result: ({ users }, req) => legacyPage(req, users, legacyUser),
    parameters: [
      ...PAGE_PARAMETERS,
      { name: "search", in: "query", description: "Part of the email or name, ignoring case.", schema: string("Text.", { maxLength: 254 }) },
      { name: "role", in: "query", description: "Only users holding this role.", schema: ROLE },
      { name: "active", in: "query", description: "Only active (true) or inactive (false) users.", schema: boolean("Active.") },
    ],
    response: { status: 200, description: "A page of users.", schema: page(USER, "users") },
    errors: [401, 403, 422],
    authenticated: true,
  }),
  restRoute({
    method: "get",
    path: "/api/users/:id",
    summary: "Read a user",
    tag: "users",
    operation: (req) => run(graphql(`query GetUser($id: ID!) { user(id: $id) { ...LegacyUser } }`), withId(req)),
    result: ({ user }, req) => ({ status: 200, body: legacyUser(found(user, "user", req.params.id)) }),
    parameters: [ID],
    response: { status: 200, description: "The user.", schema: USER },
    errors: USER_ERRORS,
    authenticated: true,
  }),
  restRoute({
    method: "post",
    path: "/api/users",
    summary: "Create a user with a password",
    tag: "users",
    operation: (req) =>
      run(graphql(`mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { ...LegacyUser } }`), { input: bodyInput(req) }),
    result: ({ createUser }) => created("/api/users", createUser.id, legacyUser(createUser)),
    body: {
      required: true,
      schema: object({ ...USER_FIELDS, password: string("Initial password, checked by the password policy.") }, ["roles", "department"]),
    },
    response: { status: 201, description: "Created.", schema: USER },
    errors: [400, 401, 403, 409, 422],
    authenticated: true,
  }),
  restRoute({
    method: "put",
    path: "/api/users/:id",
    summary: "Change some fields of a user",
    description: "Fields left out keep their value, except `department`, which null clears.",
    tag: "users",
    operation: (req) =>
      run(graphql(`mutation UpdateUser($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { ...LegacyUser } }`), {
        ...withId(req),
        input: toCamelKeys(req.body ?? {}),
      }),
    result: ({ updateUser }) => ({ status: 200, body: legacyUser(updateUser) }),
    parameters: [ID],
    body: {
      required: true,
      schema: object({ ...USER_FIELDS, active: boolean("Whether the user may sign in.") }, [...Object.keys(USER_FIELDS), "active"]),
    },
    response: { status: 200, description: "The changed user.", schema: USER },
    errors: [400, ...USER_ERRORS, 409],
    authenticated: true,
  }),
  restRoute({
    method: "delete",
    path: "/api/users/:id",
    summary: "Deactivate a user",
    description: "The record is kept, inactive, for the audit trail; the user is signed out everywhere.",
    tag: "users",
    operation: (req) => run(graphql(`mutation DeleteUser($id: ID!) { deleteUser(id: $id) { id } }`), withId(req)),
    result: () => ({ status: 204 }),
    parameters: [ID],
    response: { status: 204, description: "Deactivated." },
    errors: USER_ERRORS,
    authenticated: true,
  }),
];
