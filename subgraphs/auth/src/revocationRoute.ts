import express from "express";
import type { RevocationSnapshot } from "#lib/auth/revocationList.js";
import type { RevocationRecord } from "#lib/auth/revocationRecord.js";
import type { Logger } from "#lib/logger.js";

/** How long one read of the list is served to every caller: however many services reconnect at once, PostgreSQL is read at most this often. */
const SHARED_FOR_MS = 250;

/**
 * `GET /internal/revocations`: every live revocation, for the other services' in-memory lists
 * (`authSnapshotSource`). It needs no credentials because it names nothing: token ids and user
 * ids are hashed, so it tells a reader only that some unknown tokens were revoked. One read of
 * PostgreSQL is shared by every request in a 250 ms window, so a cold start of every service
 * costs a handful of reads, never one per request. 503 naming PostgreSQL when it cannot be read.
 */
export function revocationRoute(record: RevocationRecord, logger: Logger): express.Router {
  let shared: { at: number; snapshot: Promise<RevocationSnapshot> } | undefined;
  const read = () => {
    if (!shared || Date.now() - shared.at > SHARED_FOR_MS) {
      const snapshot = record.snapshot();
      shared = { at: Date.now(), snapshot };
      snapshot.catch(() => (shared = undefined));
    }
    return shared.snapshot;
  };
  return express.Router().get("/internal/revocations", async (_req, res) => {
    try {
      res.set("cache-control", "no-store").json(await read());
    } catch (err) {
      logger.warn({ err }, "reading the revocation list failed");
      res.status(503).json({ errors: [{ message: "PostgreSQL is unavailable", extensions: { code: "SERVICE_UNAVAILABLE", dependency: "postgresql" } }] });
    }
  });
}
