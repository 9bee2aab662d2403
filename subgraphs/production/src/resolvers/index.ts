import { DateTime } from "../../../../lib/graphql/dateTime.js";
import type { Resolvers } from "../__generated__/resolvers-types.js";
import { Batch } from "./Batch.js";
import { BatchStatusChange } from "./BatchStatusChange.js";
import { Mutation } from "./Mutation.js";
import { Query } from "./Query.js";

export const resolvers: Resolvers = { DateTime, Query, Mutation, Batch, BatchStatusChange };
