import type { ResultOf } from "@graphql-typed-document-node/core";
import type { Request } from "express";
import { snakeCase, toCamelKeys, toSnakeKeys } from "../engine/caseConversion.js";
import { found } from "../engine/errors.js";
import { bodyInput, created } from "../engine/mapping.js";
import { array, integer, nullable, number, object, page, string } from "../engine/jsonSchema.js";
import { legacyPage, PAGE_PARAMETERS, pageVariables, queryString } from "../engine/query.js";
import { run, type OperationCall } from "../engine/operation.js";
import { restRoute, type RestParameter, type RestRoute } from "../engine/route.js";
import { graphql } from "../__generated__/gql.js";

/**
 * The legacy REST endpoints of the production service, each one GraphQL operation of its
 * subgraph: `created_by` is only the creator's id, so no other subgraph is needed.
 */

/** The fields of a batch in every legacy response, spread as `...LegacyBatch`. */
export const LegacyBatch = graphql(`
  fragment LegacyBatch on Batch {
    id batchNumber productCode productName plannedQuantity actualQuantity unit status stage yield
    createdBy { id } createdAt updatedAt version
  }
`);

const STATUS = string("Batch status.", { enum: ["PLANNED", "IN_PROGRESS", "QA_HOLD", "RELEASED", "COMPLETED", "REJECTED", "CANCELLED"] });
const STAGE = string("Manufacturing stage.", { enum: ["DISPENSING", "GRANULATION", "BLENDING", "COMPRESSION", "COATING", "PACKAGING"] });

const CHANGE = object({
  field: string("The field changed, in snake_case: `product_code`, `product_name`, `planned_quantity`, `actual_quantity` or `unit`."),
  old_value: nullable(string("The value before, as text; null when the field had none.")),
  new_value: nullable(string("The value after, as text.")),
  reason: nullable(string("Why, as given with the change.")),
  changed_by: string("Id of the user who made the change."),
  changed_at: string("When the change was made.", { format: "date-time" }),
});

const BATCH_PROPERTIES = {
  id: string("Stable identifier (a UUID).", { format: "uuid" }),
  batch_number: string("Batch number, unique."),
  product_code: string("Product code."),
  product_name: string("Product name."),
  planned_quantity: number("Quantity planned, in `unit`."),
  actual_quantity: nullable(number("Quantity produced, in `unit`.")),
  unit: string("Unit of both quantities."),
  status: STATUS,
  stage: STAGE,
  yield: nullable(number("actual / planned quantity once COMPLETED.")),
  created_by: string("Id of the user who created the batch."),
  created_at: string("When the batch was created.", { format: "date-time" }),
  updated_at: string("When the batch was last changed.", { format: "date-time" }),
  version: integer("Grows by one with every change; send it back to update."),
};

const BATCH = object(BATCH_PROPERTIES);

/** A batch read on its own (`GET /api/batches/{id}`) also carries its change history. */
const BATCH_WITH_CHANGES = object({
  ...BATCH_PROPERTIES,
  changes: array(CHANGE, "Every change of the batch's master data, oldest first (GMP change history)."),
});

const EDITABLE = {
  product_code: string("New product code; 1 to 64 characters."),
  product_name: string("New product name; 1 to 200 characters."),
  planned_quantity: number("New planned quantity, from 0.001 to 99999999999.999, at most 3 decimals."),
  actual_quantity: number("Quantity produced, from 0 to 99999999999.999, at most 3 decimals; with `status`, the one recorded on completion."),
  unit: string("New unit; 1 to 32 characters."),
};

const ID: RestParameter = { name: "id", in: "path", description: "The batch's id.", schema: string("A UUID.") };

interface GraphChange {
  field: string;
  changedBy: { id: string } | null;
}

/**
 * The id of a user reference. The graph may answer `User` fields with null when the user
 * subgraph is away, but `createdBy { id }` and `changedBy { id }` are the ids the production
 * subgraph holds, answered without it: a null here is a broken graph, logged and a 500.
 */
function userId(user: { id: string } | null, field: string): string {
  if (!user) throw new Error(`the graph answered ${field} with null`);
  return user.id;
}

/**
 * A batch as legacy JSON: snake_case, `created_by` as the creator's id and, when it was read,
 * the change history with each `changed_by` as a user id and `field` in snake_case.
 */
function legacyBatch({ createdBy, changes, ...batch }: ResultOf<typeof LegacyBatch> & { changes?: GraphChange[] }) {
  return {
    ...toSnakeKeys(batch),
    created_by: userId(createdBy, "createdBy"),
    ...(changes && {
      changes: changes.map(({ field, changedBy, ...change }) => ({
        field: snakeCase(field),
        ...toSnakeKeys(change),
        changed_by: userId(changedBy, "changedBy"),
      })),
    }),
  };
}

const UpdateBatch = graphql(`
  mutation UpdateBatch($id: ID!, $version: Int!, $input: UpdateBatchInput!, $reason: String) {
    batch: updateBatch(id: $id, version: $version, input: $input, reason: $reason) { ...LegacyBatch }
  }
`);

const ChangeBatchStatus = graphql(`
  mutation ChangeBatchStatus($id: ID!, $status: BatchStatus!, $reason: String, $actualQuantity: Float, $version: Int) {
    batch: changeBatchStatus(id: $id, status: $status, reason: $reason, actualQuantity: $actualQuantity, version: $version) {
      ...LegacyBatch
    }
  }
`);

/** Both in one GraphQL request, which stops at the first failing mutation. */
const UpdateThenChangeBatchStatus = graphql(`
  mutation UpdateThenChangeBatchStatus(
    $id: ID!, $version: Int!, $input: UpdateBatchInput!, $status: BatchStatus!, $reason: String, $actualQuantity: Float
  ) {
    updated: updateBatch(id: $id, version: $version, input: $input, reason: $reason) { id }
    batch: changeBatchStatus(id: $id, status: $status, reason: $reason, actualQuantity: $actualQuantity) { ...LegacyBatch }
  }
`);

/** The body of `PUT /api/batches/:id` split between `changeBatchStatus` and `updateBatch`. */
function batchChange(req: Request): OperationCall<{ batch: ResultOf<typeof LegacyBatch> }> {
  const { status, reason, version, actualQuantity, ...fields } = toCamelKeys(req.body ?? {});
  const id = req.params.id;
  if (status === undefined) {
    return run(UpdateBatch, { id, version, input: { ...fields, ...(actualQuantity === undefined ? {} : { actualQuantity }) }, reason });
  }
  if (Object.keys(fields).length === 0) return run(ChangeBatchStatus, { id, status, reason, actualQuantity, version });
  return run(UpdateThenChangeBatchStatus, { id, version, input: fields, status, reason, actualQuantity });
}

export const batchRoutes: RestRoute[] = [
  restRoute({
    method: "get",
    path: "/api/batches",
    summary: "List batches, newest first, a page at a time",
    tag: "batches",
    operation: (req) =>
      run(
        graphql(`
          query ListBatches($filter: BatchFilter, $first: Int, $offset: Int) {
            batches(filter: $filter, first: $first, offset: $offset) {
              totalCount
              nodes { ...LegacyBatch }
            }
          }
        `),
        {
          ...pageVariables(req).variables,
          filter: { status: queryString(req, "status"), stage: queryString(req, "stage"), product: queryString(req, "search") },
        },
      ),
    result: ({ batches }, req) => legacyPage(req, batches, legacyBatch),
    parameters: [
      ...PAGE_PARAMETERS,
      { name: "status", in: "query", description: "Only batches in this status.", schema: STATUS },
      { name: "stage", in: "query", description: "Only batches at this stage.", schema: STAGE },
      {
        name: "search",
        in: "query",
        description: "Exact product code, or part of the product name ignoring case (`%` and `_` match themselves).",
        schema: string("Text, at most 200 characters.", { maxLength: 200 }),
      },
    ],
    response: { status: 200, description: "A page of batches.", schema: page(BATCH, "batches") },
    errors: [401, 403, 422],
    authenticated: true,
  }),
  restRoute({
    method: "get",
    path: "/api/batches/:id",
    summary: "Read a batch",
    tag: "batches",
    operation: (req) =>
      run(
        graphql(`
          query GetBatch($id: ID!) {
            batch(id: $id) { ...LegacyBatch changes { field oldValue newValue reason changedBy { id } changedAt } }
          }
        `),
        { id: req.params.id },
      ),
    result: ({ batch }, req) => ({ status: 200, body: legacyBatch(found(batch, "batch", req.params.id)) }),
    parameters: [ID],
    response: { status: 200, description: "The batch, with its change history.", schema: BATCH_WITH_CHANGES },
    errors: [401, 403, 404, 422],
    authenticated: true,
  }),
  restRoute({
    method: "post",
    path: "/api/batches",
    summary: "Create a batch, PLANNED at the first stage",
    tag: "batches",
    operation: (req) =>
      run(graphql(`mutation CreateBatch($input: CreateBatchInput!) { createBatch(input: $input) { ...LegacyBatch } }`), { input: bodyInput(req) }),
    result: ({ createBatch }) => created("/api/batches", createBatch.id, legacyBatch(createBatch)),
    body: {
      required: true,
      schema: object({
        batch_number: string("Batch number; trimmed, unique, 1 to 64 characters."),
        product_code: string("Product code; 1 to 64 characters."),
        product_name: string("Product name; 1 to 200 characters."),
        planned_quantity: number("Quantity planned, from 0.001 to 99999999999.999, at most 3 decimals."),
        unit: string("Unit; 1 to 32 characters."),
      }),
    },
    response: { status: 201, description: "Created.", schema: BATCH },
    errors: [400, 401, 403, 409, 422],
    authenticated: true,
  }),
  restRoute({
    method: "put",
    path: "/api/batches/:id",
    summary: "Change a batch's fields and/or its status",
    description: [
      "Without `status`: `updateBatch`, which needs the `version` read last (409 when stale).",
      "With `status` only (plus `reason`, `actual_quantity`, optional `version`): `changeBatchStatus`, which writes",
      "the audit trail and publishes the event; an illegal transition is 422 naming the allowed statuses.",
      "`RELEASED` and `REJECTED` are QA decisions, signed in the QA service (`releaseBatch`, `rejectBatch`) and",
      "applied from its events: asking for them here is 422 `BAD_USER_INPUT` naming that mutation in",
      "`details.qaMutation`.",
      "With `status` and other fields: `updateBatch` first (with `version`), then `changeBatchStatus`, in one",
      "GraphQL request that stops at the first failure; `actual_quantity` then goes to the status change.",
    ].join(" "),
    tag: "batches",
    operation: batchChange,
    result: ({ batch }) => ({ status: 200, body: legacyBatch(batch) }),
    parameters: [ID],
    body: {
      required: true,
      schema: object(
        {
          status: STATUS,
          reason: string("Why the batch changes, at most 1000 characters; kept in the audit trail and the change history."),
          version: integer("The version read last; required to change fields."),
          ...EDITABLE,
        },
        ["status", "reason", "version", ...Object.keys(EDITABLE)],
      ),
    },
    response: { status: 200, description: "The batch as it is now.", schema: BATCH },
    errors: [400, 401, 403, 404, 409, 422],
    authenticated: true,
  }),
];
