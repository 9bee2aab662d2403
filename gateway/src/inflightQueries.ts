/**
 * Identical subgraph queries in flight at the same time, sent once: the first caller's call is
 * shared by every caller that asks for the same key before it settles (as Hive Gateway and the
 * Apollo Router deduplicate). Callers get the same settled value, so it must be immutable (the
 * data source shares the answer's text and parses it per caller). Only for queries: a mutation
 * is never merged with another.
 */
export class InflightQueries<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  /** Calls `send` unless a call of `key` is in flight; `onShared` is told each time one is joined. */
  run(key: string, send: () => Promise<T>, onShared?: () => void): Promise<T> {
    const pending = this.inflight.get(key);
    if (pending) {
      onShared?.();
      return pending;
    }
    const call = send().finally(() => this.inflight.delete(key));
    this.inflight.set(key, call);
    return call;
  }

  get size(): number {
    return this.inflight.size;
  }
}
