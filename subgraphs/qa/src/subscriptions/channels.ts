import { QA_EVENT_TYPES } from "../events/qaEvents.js";

/** The Redis channels of QA's subscriptions (under the service's prefix, `<prefix>events:<name>`). */
export const QA_CHANNELS = {
  /** `qa.deviation.opened` events. */
  deviationOpened: QA_EVENT_TYPES.deviationOpened,
  /** Both `qa.batch.released` and `qa.batch.rejected`: `batchReleased` filters. */
  decisions: "qa.batch.decided",
} as const;

/** The AMQP events QA's subscriptions are fed from, and the channel each goes to. */
export const CHANNEL_OF: Readonly<Record<string, string>> = {
  [QA_EVENT_TYPES.deviationOpened]: QA_CHANNELS.deviationOpened,
  [QA_EVENT_TYPES.batchReleased]: QA_CHANNELS.decisions,
  [QA_EVENT_TYPES.batchRejected]: QA_CHANNELS.decisions,
};
