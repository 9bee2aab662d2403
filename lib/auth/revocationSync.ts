import { GraphQLError } from "graphql";
import type { Redis } from "ioredis";
import type { Logger } from "../logger.js";
import { watchRevocations, type RevocationListener } from "./revocation.js";
import { RevocationList, type Revocation, type RevocationSnapshot } from "./revocationList.js";
import type { Principal } from "./tokens.js";

/** Where the whole list is read: auth reads PostgreSQL, every other service asks auth (`authSnapshotSource`). */
export type SnapshotSource = () => Promise<RevocationSnapshot>;

export interface RevocationsOptions {
  /** The service's Redis connection; notices are received on a duplicate of it. */
  redis: Redis;
  /** `REDIS_PREFIX`: the notices' channel is `<prefix>revocations`. */
  prefix: string;
  source: SnapshotSource;
  logger: Logger;
  /** How often the list is read again while notices cannot be received (Redis down), ms; default 1000: the revocation promise. */
  pollMs?: number;
  /** How often the list is read again anyway, in case a notice was lost while Redis looked up, ms; default 30 000. */
  resyncMs?: number;
  /** How long a token check waits for the first read before it answers SERVICE_UNAVAILABLE, ms; default 5000. */
  firstLoadWaitMs?: number;
}

/** A token check before the list could be read even once: the service cannot tell a revoked token. */
export const revocationsUnavailable = () =>
  new GraphQLError("Token revocations could not be read from the auth service yet; try again shortly", {
    extensions: { code: "SERVICE_UNAVAILABLE", dependency: "auth", http: { status: 503 } },
  });

/**
 * Every live revocation, kept in this process so that a token check costs no round trip:
 * - read whole from the durable record (PostgreSQL, through auth) at start, whenever the
 *   notices' subscription comes back after a lost Redis connection, every `pollMs` while it
 *   is down, and every `resyncMs` anyway;
 * - kept current between reads by the notices auth publishes on Redis at each revocation
 *   (received in milliseconds, so a revoked token is refused within the second everywhere).
 * A Redis restart, flush or eviction loses nothing: Redis only carries the notices.
 * Listeners (open WebSockets) hear every notice and every gap.
 */
export class Revocations {
  readonly list = new RevocationList();
  private readonly listeners = new Set<RevocationListener>();
  private watch?: ReturnType<typeof watchRevocations>;
  private timer?: NodeJS.Timeout;
  private loading?: Promise<void>;
  private again = false;
  private loadedAt = 0;
  private onLoaded!: () => void;
  /** Resolves after the first successful read. */
  readonly loaded = new Promise<void>((resolve) => (this.onLoaded = resolve));

  constructor(private readonly options: RevocationsOptions) {}

  /** Starts listening to notices and reading the list. */
  start(): void {
    const { redis, prefix, logger, pollMs = 1_000, resyncMs = 30_000 } = this.options;
    this.watch = watchRevocations(
      redis,
      prefix,
      {
        notice: (notice) => this.apply(notice),
        gap: () => {
          logger.info("revocation notices resumed after a lost Redis connection: reading the list again");
          void this.reload();
          for (const listener of this.listeners) listener.gap();
        },
      },
      logger,
    );
    // Read only once notices are listened to: one published meanwhile is then in the list either way.
    void this.watch.ready.then(() => this.reload());
    this.timer = setInterval(() => {
      this.list.prune();
      if (!this.watch?.live || Date.now() - this.loadedAt >= resyncMs) void this.reload();
    }, pollMs);
    this.timer.unref();
  }

  /** Whether the list has been read at least once. */
  get ready(): boolean {
    return this.loadedAt > 0;
  }

  /** Whether notices are being received now (false while Redis is away: the list is then polled). */
  get live(): boolean {
    return this.watch?.live ?? false;
  }

  /**
   * Whether a verified token has been revoked. No I/O once the list was read; before that it
   * waits for the first read, and answers SERVICE_UNAVAILABLE (naming auth) if it does not come.
   */
  async isRevoked(principal: Pick<Principal, "jti" | "userId" | "generation">): Promise<boolean> {
    if (!this.ready) await this.waitForFirstLoad();
    return this.list.isRevoked(principal);
  }

  private async waitForFirstLoad(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.firstLoadWaitMs ?? 5_000)));
    await Promise.race([this.loaded, timeout]);
    clearTimeout(timer);
    if (!this.ready) throw revocationsUnavailable();
  }

  /** Adds a revocation (a notice, or auth's own write) and tells the listeners. */
  apply(revocation: Revocation): void {
    this.list.add(revocation);
    for (const listener of this.listeners) listener.notice(revocation);
  }

  /** Hears every revocation and every gap in the notices (for open WebSockets); returns the way to stop. */
  listen(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the whole list again; a call during a read makes one more read after it. */
  reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        try {
          this.list.merge(await this.options.source());
          this.loadedAt = Date.now();
          this.onLoaded();
        } catch (err) {
          this.options.logger.warn({ err }, "reading the revocation list failed; the last one read stays in use");
          break;
        }
      } while (this.again);
    })().finally(() => (this.loading = undefined));
    return this.loading;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.watch?.close();
  }
}

/** How long auth may take to serve the list. */
const SNAPSHOT_TIMEOUT_MS = 3_000;

const isSnapshot = (value: unknown): value is RevocationSnapshot =>
  typeof value === "object" && value !== null && Array.isArray((value as RevocationSnapshot).tokens) && Array.isArray((value as RevocationSnapshot).users);

/** The list as the auth subgraph serves it, `GET <authUrl>/internal/revocations`. */
export function authSnapshotSource(authUrl: string): SnapshotSource {
  const url = `${authUrl}/internal/revocations`;
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(SNAPSHOT_TIMEOUT_MS) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`GET ${url}: HTTP ${response.status}`);
    }
    const body: unknown = await response.json();
    if (!isSnapshot(body)) throw new Error(`GET ${url}: not a revocation list`);
    return body;
  };
}
