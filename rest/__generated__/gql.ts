/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n          mutation Login($email: String!, $password: String!, $deviceToken: String) {\n            login(email: $email, password: $password, deviceToken: $deviceToken) { accessToken tokenType expiresIn refreshToken userId deviceToken }\n          }\n        ": typeof types.LoginDocument,
    "\n          query VerifyToken($token: String!) {\n            verifyToken(token: $token) { valid reason userId email roles scopes expiresAt }\n          }\n        ": typeof types.VerifyTokenDocument,
    "\n          mutation Logout($refreshToken: String) {\n            logout(refreshToken: $refreshToken)\n          }\n        ": typeof types.LogoutDocument,
    "\n  fragment LegacyBatch on Batch {\n    id batchNumber productCode productName plannedQuantity actualQuantity unit status stage yield\n    createdBy { id } createdAt updatedAt version\n  }\n": typeof types.LegacyBatchFragmentDoc,
    "\n  mutation UpdateBatch($id: ID!, $version: Int!, $input: UpdateBatchInput!, $reason: String) {\n    batch: updateBatch(id: $id, version: $version, input: $input, reason: $reason) { ...LegacyBatch }\n  }\n": typeof types.UpdateBatchDocument,
    "\n  mutation ChangeBatchStatus($id: ID!, $status: BatchStatus!, $reason: String, $actualQuantity: Float, $version: Int) {\n    batch: changeBatchStatus(id: $id, status: $status, reason: $reason, actualQuantity: $actualQuantity, version: $version) {\n      ...LegacyBatch\n    }\n  }\n": typeof types.ChangeBatchStatusDocument,
    "\n  mutation UpdateThenChangeBatchStatus(\n    $id: ID!, $version: Int!, $input: UpdateBatchInput!, $status: BatchStatus!, $reason: String, $actualQuantity: Float\n  ) {\n    updated: updateBatch(id: $id, version: $version, input: $input, reason: $reason) { id }\n    batch: changeBatchStatus(id: $id, status: $status, reason: $reason, actualQuantity: $actualQuantity) { ...LegacyBatch }\n  }\n": typeof types.UpdateThenChangeBatchStatusDocument,
    "\n          query ListBatches($filter: BatchFilter, $first: Int, $offset: Int) {\n            batches(filter: $filter, first: $first, offset: $offset) {\n              totalCount\n              nodes { ...LegacyBatch }\n            }\n          }\n        ": typeof types.ListBatchesDocument,
    "\n          query GetBatch($id: ID!) {\n            batch(id: $id) { ...LegacyBatch changes { field oldValue newValue reason changedBy { id } changedAt } }\n          }\n        ": typeof types.GetBatchDocument,
    "mutation CreateBatch($input: CreateBatchInput!) { createBatch(input: $input) { ...LegacyBatch } }": typeof types.CreateBatchDocument,
    "\n  fragment LegacyUser on User { id email name roles department active createdAt updatedAt }\n": typeof types.LegacyUserFragmentDoc,
    "\n          query ListUsers($search: String, $role: Role, $active: Boolean, $first: Int, $offset: Int) {\n            users(search: $search, role: $role, active: $active, first: $first, offset: $offset) {\n              totalCount\n              nodes { ...LegacyUser }\n            }\n          }\n        ": typeof types.ListUsersDocument,
    "query GetUser($id: ID!) { user(id: $id) { ...LegacyUser } }": typeof types.GetUserDocument,
    "mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { ...LegacyUser } }": typeof types.CreateUserDocument,
    "mutation UpdateUser($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { ...LegacyUser } }": typeof types.UpdateUserDocument,
    "mutation DeleteUser($id: ID!) { deleteUser(id: $id) { id } }": typeof types.DeleteUserDocument,
};
const documents: Documents = {
    "\n          mutation Login($email: String!, $password: String!, $deviceToken: String) {\n            login(email: $email, password: $password, deviceToken: $deviceToken) { accessToken tokenType expiresIn refreshToken userId deviceToken }\n          }\n        ": types.LoginDocument,
    "\n          query VerifyToken($token: String!) {\n            verifyToken(token: $token) { valid reason userId email roles scopes expiresAt }\n          }\n        ": types.VerifyTokenDocument,
    "\n          mutation Logout($refreshToken: String) {\n            logout(refreshToken: $refreshToken)\n          }\n        ": types.LogoutDocument,
    "\n  fragment LegacyBatch on Batch {\n    id batchNumber productCode productName plannedQuantity actualQuantity unit status stage yield\n    createdBy { id } createdAt updatedAt version\n  }\n": types.LegacyBatchFragmentDoc,
    "\n  mutation UpdateBatch($id: ID!, $version: Int!, $input: UpdateBatchInput!, $reason: String) {\n    batch: updateBatch(id: $id, version: $version, input: $input, reason: $reason) { ...LegacyBatch }\n  }\n": types.UpdateBatchDocument,
    "\n  mutation ChangeBatchStatus($id: ID!, $status: BatchStatus!, $reason: String, $actualQuantity: Float, $version: Int) {\n    batch: changeBatchStatus(id: $id, status: $status, reason: $reason, actualQuantity: $actualQuantity, version: $version) {\n      ...LegacyBatch\n    }\n  }\n": types.ChangeBatchStatusDocument,
    "\n  mutation UpdateThenChangeBatchStatus(\n    $id: ID!, $version: Int!, $input: UpdateBatchInput!, $status: BatchStatus!, $reason: String, $actualQuantity: Float\n  ) {\n    updated: updateBatch(id: $id, version: $version, input: $input, reason: $reason) { id }\n    batch: changeBatchStatus(id: $id, status: $status, reason: $reason, actualQuantity: $actualQuantity) { ...LegacyBatch }\n  }\n": types.UpdateThenChangeBatchStatusDocument,
    "\n          query ListBatches($filter: BatchFilter, $first: Int, $offset: Int) {\n            batches(filter: $filter, first: $first, offset: $offset) {\n              totalCount\n              nodes { ...LegacyBatch }\n            }\n          }\n        ": types.ListBatchesDocument,
    "\n          query GetBatch($id: ID!) {\n            batch(id: $id) { ...LegacyBatch changes { field oldValue newValue reason changedBy { id } changedAt } }\n          }\n        ": types.GetBatchDocument,
    "mutation CreateBatch($input: CreateBatchInput!) { createBatch(input: $input) { ...LegacyBatch } }": types.CreateBatchDocument,
    "\n  fragment LegacyUser on User { id email name roles department active createdAt updatedAt }\n": types.LegacyUserFragmentDoc,
    "\n          query ListUsers($search: String, $role: Role, $active: Boolean, $first: Int, $offset: Int) {\n            users(search: $search, role: $role, active: $active, first: $first, offset: $offset) {\n              totalCount\n              nodes { ...LegacyUser }\n            }\n          }\n        ": types.ListUsersDocument,
    "query GetUser($id: ID!) { user(id: $id) { ...LegacyUser } }": types.GetUserDocument,
    "mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { ...LegacyUser } }": types.CreateUserDocument,
    "mutation UpdateUser($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { ...LegacyUser } }": types.UpdateUserDocument,
    "mutation DeleteUser($id: ID!) { deleteUser(id: $id) { id } }": types.DeleteUserDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n          mutation Login($email: String!, $password: String!, $deviceToken: String) {\n            login(email: $email, password: $password, deviceToken: $deviceToken) { accessToken tokenType expiresIn refreshToken userId deviceToken }\n          }\n        "): typeof import('./graphql.js').LoginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n          query VerifyToken($token: String!) {\n            verifyToken(token: $token) { valid reason userId email roles scopes expiresAt }\n          }\n        "): typeof import('./graphql.js').VerifyTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n          mutation Logout($refreshToken: String) {\n            logout(refreshToken: $refreshToken)\n          }\n        "): typeof import('./graphql.js').LogoutDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LegacyBatch on Batch {\n    id batchNumber productCode productName plannedQuantity actualQuantity unit status stage yield\n    createdBy { id } createdAt updatedAt version\n  }\n"): typeof import('./graphql.js').LegacyBatchFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateBatch($id: ID!, $version: Int!, $input: UpdateBatchInput!, $reason: String) {\n    batch: updateBatch(id: $id, version: $version, input: $input, reason: $reason) { ...LegacyBatch }\n  }\n"): typeof import('./graphql.js').UpdateBatchDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeBatchStatus($id: ID!, $status: BatchStatus!, $reason: String, $actualQuantity: Float, $version: Int) {\n    batch: changeBatchStatus(id: $id, status: $status, reason: $reason, actualQuantity: $actualQuantity, version: $version) {\n      ...LegacyBatch\n    }\n  }\n"): typeof import('./graphql.js').ChangeBatchStatusDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateThenChangeBatchStatus(\n    $id: ID!, $version: Int!, $input: UpdateBatchInput!, $status: BatchStatus!, $reason: String, $actualQuantity: Float\n  ) {\n    updated: updateBatch(id: $id, version: $version, input: $input, reason: $reason) { id }\n    batch: changeBatchStatus(id: $id, status: $status, reason: $reason, actualQuantity: $actualQuantity) { ...LegacyBatch }\n  }\n"): typeof import('./graphql.js').UpdateThenChangeBatchStatusDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n          query ListBatches($filter: BatchFilter, $first: Int, $offset: Int) {\n            batches(filter: $filter, first: $first, offset: $offset) {\n              totalCount\n              nodes { ...LegacyBatch }\n            }\n          }\n        "): typeof import('./graphql.js').ListBatchesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n          query GetBatch($id: ID!) {\n            batch(id: $id) { ...LegacyBatch changes { field oldValue newValue reason changedBy { id } changedAt } }\n          }\n        "): typeof import('./graphql.js').GetBatchDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateBatch($input: CreateBatchInput!) { createBatch(input: $input) { ...LegacyBatch } }"): typeof import('./graphql.js').CreateBatchDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LegacyUser on User { id email name roles department active createdAt updatedAt }\n"): typeof import('./graphql.js').LegacyUserFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n          query ListUsers($search: String, $role: Role, $active: Boolean, $first: Int, $offset: Int) {\n            users(search: $search, role: $role, active: $active, first: $first, offset: $offset) {\n              totalCount\n              nodes { ...LegacyUser }\n            }\n          }\n        "): typeof import('./graphql.js').ListUsersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query GetUser($id: ID!) { user(id: $id) { ...LegacyUser } }"): typeof import('./graphql.js').GetUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { ...LegacyUser } }"): typeof import('./graphql.js').CreateUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UpdateUser($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { ...LegacyUser } }"): typeof import('./graphql.js').UpdateUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeleteUser($id: ID!) { deleteUser(id: $id) { id } }"): typeof import('./graphql.js').DeleteUserDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
