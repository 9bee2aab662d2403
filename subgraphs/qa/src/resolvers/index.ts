import type { Resolvers } from "../__generated__/resolvers-types.js";
import { DateTime } from "#lib/graphql/dateTime.js";
import { Batch } from "./Batch.js";
import { Deviation } from "./Deviation.js";
import { DeviationChange } from "./DeviationChange.js";
import { Mutation } from "./Mutation.js";
import { Query } from "./Query.js";
import { ReleaseDecision } from "./ReleaseDecision.js";
import { Specification } from "./Specification.js";
import { SpecificationTest } from "./SpecificationTest.js";
import { Subscription } from "./Subscription.js";
import { TestResult } from "./TestResult.js";

export const resolvers: Resolvers = {
  DateTime,
  Query,
  Mutation,
  Subscription,
  Batch,
  Specification,
  SpecificationTest,
  TestResult,
  Deviation,
  DeviationChange,
  ReleaseDecision,
};
