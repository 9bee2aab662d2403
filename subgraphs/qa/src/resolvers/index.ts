import type { Resolvers } from "../__generated__/resolvers-types.js";
import { DateTime } from "#lib/graphql/dateTime.js";
import { Query } from "./Query.js";

export const resolvers: Resolvers = { DateTime, Query };
