import { DateTime } from "#lib/graphql/dateTime.js";
import type { Resolvers } from "../__generated__/resolvers-types.js";
import { Batch } from "./Batch.js";
import { BatchFieldChange, BatchStageChange, BatchStatusChange } from "./BatchStatusChange.js";
import { BatchStatusChangedEvent } from "./BatchStatusChangedEvent.js";
import { Mutation } from "./Mutation.js";
import { Query } from "./Query.js";
import { Subscription } from "./Subscription.js";

export const resolvers: Resolvers = {
  DateTime,
  Query,
  Mutation,
  Subscription,
  Batch,
  BatchStatusChange,
  BatchStageChange,
  BatchFieldChange,
  BatchStatusChangedEvent,
};
