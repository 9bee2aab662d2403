/**
 * Items arriving asynchronously (messages, subscription results) that a test waits for by
 * count.
 */
export class Collector<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  /** @param what Names the items in the timeout error, for example `messages on <exchange>`. */
  constructor(private readonly what: string) {}

  push(item: T): void {
    this.items.push(item);
    for (const check of this.waiters) check();
  }

  /** Resolves once `count` items arrived; rejects after `timeoutMs` saying how many did. */
  waitFor(count: number, timeoutMs = 20_000): Promise<T[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.items.length < count) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(this.items.slice(0, count));
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`expected ${count} ${this.what}, got ${this.items.length}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}
