import { availableParallelism } from "node:os";
import { integer } from "../variable.js";

/** How the auth subgraph bounds sign-ins: failure delays, device tokens, password hashing, session clean-up. */

export const SESSION_PURGE_INTERVAL = integer({
  name: "SESSION_PURGE_INTERVAL",
  description: "how often the auth service deletes sessions that ended over a day ago, seconds",
  readers: ["auth"],
  default: 3_600,
  min: 1,
  max: 7 * 86_400,
});

export const LOGIN_MAX_FAILURES = integer({
  name: "LOGIN_MAX_FAILURES",
  description: "failed sign-ins of an account (or of a device with its device token) answered without delay; after them each attempt waits 1 s, 2 s, 4 s …",
  readers: ["auth"],
  default: 5,
  min: 1,
  max: 1_000,
});

export const LOGIN_MAX_DELAY = integer({
  name: "LOGIN_MAX_DELAY",
  description: "the longest of those delays, seconds",
  readers: ["auth"],
  default: 15 * 60,
  min: 1,
  max: 86_400,
});

export const LOGIN_FAILURE_WINDOW = integer({
  name: "LOGIN_FAILURE_WINDOW",
  description: "failures are forgotten this many seconds after the last one (at least `LOGIN_MAX_DELAY`)",
  readers: ["auth"],
  default: 86_400,
  min: 1,
  max: 30 * 86_400,
});

export const DEVICE_TOKEN_TTL = integer({
  name: "DEVICE_TOKEN_TTL",
  description: "how long the device token of a sign-in lets its device past the account's failure delays, seconds (30 days)",
  readers: ["auth"],
  default: 30 * 86_400,
  min: 60,
  max: 366 * 86_400,
});

export const PASSWORD_HASH_CONCURRENCY = integer({
  name: "PASSWORD_HASH_CONCURRENCY",
  description: "password hashes (scrypt, about 128 MiB each) the auth service computes at once",
  readers: ["auth"],
  default: () => Math.max(1, availableParallelism()),
  shownDefault: "the number of CPUs",
  min: 1,
  max: 256,
});

export const PASSWORD_HASH_QUEUE = integer({
  name: "PASSWORD_HASH_QUEUE",
  description:
    "password hashes waiting for a turn; beyond that a sign-in, password check or new password is refused at once with 503 `SERVICE_UNAVAILABLE` and `Retry-After`",
  readers: ["auth"],
  default: 16,
  min: 0,
  max: 10_000,
});
