import { HeaderMap } from "@apollo/server";
import PQueue from "p-queue";
import { Counter, Gauge, type Registry } from "prom-client";
import { apiError } from "#lib/errors.js";

/** How long one hash takes before any has been timed, seconds (scrypt at OWASP's cost on one core). */
const FIRST_ESTIMATE_SECONDS = 1;

export interface HashQueueOptions {
  /** `PASSWORD_HASH_CONCURRENCY`: hashes computed at once, default the number of CPUs. */
  concurrency: number;
  /** `PASSWORD_HASH_QUEUE`: hashes waiting for a turn, default 16; beyond that a request is refused. */
  maxWaiting: number;
  /** Where the gauge and the refusal counter are registered. */
  metrics: Registry;
}

/**
 * Every password hash of the auth subgraph (logins, password checks, new passwords) goes
 * through this one queue. Each scrypt at OWASP's cost takes about 128 MiB and most of a core for
 * over half a second: unbounded, a burst of logins exhausts memory and makes every sign-in time
 * out. At most `concurrency` run and `maxWaiting` wait; a request beyond that is refused at once
 * with SERVICE_UNAVAILABLE, HTTP 503 and `Retry-After`, an answer a client (and the gateway)
 * can act on instead of a timeout.
 */
export class HashQueue {
  private readonly queue: PQueue;
  private readonly maxWaiting: number;
  private readonly refusals: Counter;
  /** Moving average of how long a hash takes, for `Retry-After`. */
  private averageSeconds = FIRST_ESTIMATE_SECONDS;

  constructor({ concurrency, maxWaiting, metrics }: HashQueueOptions) {
    this.queue = new PQueue({ concurrency });
    this.maxWaiting = maxWaiting;
    const queue = this.queue;
    new Gauge({
      name: "password_hashes",
      help: "Password hashes running and waiting for a turn",
      labelNames: ["state"],
      registers: [metrics],
      collect() {
        this.set({ state: "running" }, queue.pending);
        this.set({ state: "waiting" }, queue.size);
      },
    });
    this.refusals = new Counter({
      name: "password_hashes_refused_total",
      help: "Requests refused because the password hash queue was full",
      registers: [metrics],
    });
  }

  /** Runs a hash when its turn comes; rejects at once with the busy error when the queue is full. */
  run<T>(hash: () => Promise<T>): Promise<T> {
    if (this.queue.pending >= this.queue.concurrency && this.queue.size >= this.maxWaiting) {
      this.refusals.inc();
      return Promise.reject(busy(this.retryAfterSeconds()));
    }
    return this.queue.add(async () => {
      const started = performance.now();
      try {
        return await hash();
      } finally {
        this.averageSeconds = 0.8 * this.averageSeconds + 0.2 * ((performance.now() - started) / 1000);
      }
    }) as Promise<T>;
  }

  /** When the queue will have made room: the hashes ahead, shared by the slots, at their usual pace. */
  private retryAfterSeconds(): number {
    const ahead = this.queue.size + this.queue.pending;
    return Math.max(1, Math.ceil((ahead / this.queue.concurrency) * this.averageSeconds));
  }
}

/**
 * The refusal of a full queue: `SERVICE_UNAVAILABLE` with `retryAfter`, and HTTP 503 with a
 * `Retry-After` header for a caller on this port. The gateway passes it on as it is.
 */
export function busy(retryAfter: number) {
  return apiError("SERVICE_UNAVAILABLE", `Sign-in is busy; retry in ${retryAfter} s`, {
    retryAfter,
    http: { status: 503, headers: new HeaderMap([["retry-after", String(retryAfter)]]) },
  });
}
