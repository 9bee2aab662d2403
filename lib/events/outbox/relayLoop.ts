/**
 * The outbox relay: publishes the rows of a subgraph's `<schema>.outbox_events` in `sequence` order and
 * marks each published once the broker confirmed it (at least once: a crash between the
 * confirm and the mark publishes that event again, and consumers deduplicate by event id).
 *
 * One relay is active per database: it holds a PostgreSQL advisory lock on a connection of its
 * own; the relays of other instances stand by and take over when that connection goes. A
 * single publisher with one message in flight keeps the order of the events of each batch.
 */
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import type { Registry } from "prom-client";
import type { EventEnvelope } from "../envelope.js";
import type { EventPublisher } from "../publisher.js";
import type { Logger } from "../../logger.js";
import { relayMetrics, type RelayMetrics } from "./relayMetrics.js";
import { Wakeup } from "./wakeup.js";

/**
 * The names a subgraph's outbox goes by: its table `<schema>.outbox_events`, the channel its
 * trigger notifies on commit (`<schema>_outbox`, see the migration) and the advisory lock key of
 * its relay (`<schema>.outbox_relay`, hashed by PostgreSQL into its lock space).
 */
function outboxNames(schema: string) {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`outbox schema must be a plain lower-case SQL name, got ${JSON.stringify(schema)}`);
  return { table: `${schema}.outbox_events`, channel: `${schema}_outbox`, lock: `${schema}.outbox_relay` };
}

export interface RelayOptions {
  databaseUrl: string;
  /** The PostgreSQL schema that holds the subgraph's `outbox_events` (`production`, `qa`). */
  schema: string;
  publisher: EventPublisher;
  logger: Logger;
  /** Where the relay's metrics are registered (the service's registry). */
  metrics: Registry;
  /** Polling fallback to notifications, stand-by retry and pause after a failure, in ms. Default 1000. */
  pollIntervalMs?: number;
  /** Rows read per round. Default 100. */
  chunkSize?: number;
}

interface OutboxRow {
  id: string;
  envelope: EventEnvelope;
  backlog: string;
}

/** Relays outbox events to the broker until stopped. */
export class OutboxRelay {
  private readonly wakeup = new Wakeup();
  private readonly stopping = new AbortController();
  private readonly metrics: RelayMetrics;
  private readonly pollIntervalMs: number;
  private readonly chunkSize: number;
  private readonly names: ReturnType<typeof outboxNames>;
  private running: Promise<void> | undefined;

  constructor(private readonly options: RelayOptions) {
    this.metrics = relayMetrics(options.metrics);
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.chunkSize = options.chunkSize ?? 100;
    this.names = outboxNames(options.schema);
  }

  /** Starts relaying in the background. */
  start(): void {
    this.running ??= this.run();
  }

  /** Stops after the publish in flight, if any, and releases the lock. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wakeup.wake();
    await this.running;
  }

  private get stopped() {
    return this.stopping.signal.aborted;
  }

  /** Connects, becomes the active relay when it can, relays; on any failure, starts over. */
  private async run(): Promise<void> {
    while (!this.stopped) {
      // keepAlive: a dead connection must be noticed (and its lock released) by both sides.
      const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: `${this.options.schema}-outbox-relay`, keepAlive: true });
      const lost = new AbortController();
      client.on("error", (err) => {
        this.options.logger.warn({ err }, "outbox relay lost its database connection");
        lost.abort();
        this.wakeup.wake();
      });
      try {
        await client.connect();
        if (await this.lead(client, lost.signal)) await this.relay(client, lost.signal);
      } catch (err) {
        if (!this.stopped) this.options.logger.warn({ err }, "outbox relay failed, starting over");
      } finally {
        this.metrics.active.set(0);
        await client.end().catch(() => undefined);
      }
      if (!this.stopped) await this.wakeup.wait(this.pollIntervalMs);
    }
  }

  /** Waits until this relay holds the advisory lock; false when stopped or disconnected first. */
  private async lead(client: pg.Client, lost: AbortSignal): Promise<boolean> {
    let announced = false;
    while (!this.stopped && !lost.aborted) {
      const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS locked", [this.names.lock]);
      if (rows[0]?.locked) {
        this.options.logger.info("outbox relay active");
        return true;
      }
      if (!announced) this.options.logger.info("another instance relays the outbox, standing by");
      announced = true;
      await this.wakeup.wait(this.pollIntervalMs);
    }
    return false;
  }

  /** Publishes whenever something waits: woken by NOTIFY, or by the polling fallback. */
  private async relay(client: pg.Client, lost: AbortSignal): Promise<void> {
    client.on("notification", () => this.wakeup.wake());
    await client.query(`LISTEN ${this.names.channel}`);
    this.metrics.active.set(1);
    const { publisher } = this.options;
    const interrupted = AbortSignal.any([this.stopping.signal, lost]);
    while (!interrupted.aborted) {
      if (!publisher.connected) {
        // The broker is away: changes keep committing to the outbox, published once it is back.
        // Meanwhile the backlog gauge keeps counting them, so that an outage shows as a growing backlog.
        await this.countBacklog(client);
        await publisher.waitForConnection(AbortSignal.any([interrupted, AbortSignal.timeout(this.pollIntervalMs)]));
        continue;
      }
      const outcome = await this.publishChunk(client, interrupted);
      if (outcome === "more") continue;
      // After a failure, pause whatever is notified, so that a flapping broker is not hammered.
      if (outcome === "failed") await delay(this.pollIntervalMs, undefined, { signal: interrupted }).catch(() => undefined);
      else await this.wakeup.wait(this.pollIntervalMs);
    }
  }

  private async countBacklog(client: pg.Client): Promise<void> {
    const { rows } = await client.query<{ backlog: string }>(`SELECT count(*) AS backlog FROM ${this.names.table} WHERE published_at IS NULL`);
    this.metrics.backlog.set(Number(rows[0]?.backlog ?? 0));
  }

  /**
   * Publishes the oldest waiting rows one at a time (the next only once the previous one is
   * confirmed, so a lost connection can never reorder them) and marks the confirmed ones.
   */
  private async publishChunk(client: pg.Client, interrupted: AbortSignal): Promise<"more" | "done" | "failed"> {
    const { rows } = await client.query<OutboxRow>(
      `SELECT id, envelope, count(*) OVER () AS backlog FROM ${this.names.table}
       WHERE published_at IS NULL ORDER BY sequence LIMIT $1`,
      [this.chunkSize],
    );
    const backlog = Number(rows[0]?.backlog ?? 0);
    this.metrics.backlog.set(backlog);
    const confirmed: string[] = [];
    let failed = false;
    for (const row of rows) {
      if (interrupted.aborted) break;
      try {
        await this.options.publisher.publish(row.envelope);
        confirmed.push(row.id);
        this.metrics.published.inc();
      } catch (err) {
        this.metrics.failures.inc();
        this.options.logger.warn({ err, eventId: row.id }, "publishing an outbox event failed, will retry");
        failed = true;
        break;
      }
    }
    if (confirmed.length > 0) {
      await client.query(`UPDATE ${this.names.table} SET published_at = now() WHERE id = ANY($1::uuid[])`, [confirmed]);
      this.metrics.backlog.set(backlog - confirmed.length);
    }
    if (failed) return "failed";
    return rows.length === this.chunkSize ? "more" : "done";
  }
}
