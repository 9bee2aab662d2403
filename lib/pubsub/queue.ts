/**
 * An async iterator fed from callbacks (pub/sub messages, upstream events), buffering what the
 * consumer has not pulled yet. `end` runs once, when the consumer stops or `close` is called.
 */
export class PushQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private readonly waiting: Array<(result: IteratorResult<T>) => void> = [];
  private done = false;

  constructor(private readonly end: () => void = () => undefined) {}

  /** Whether `close` (or `return`) was called. */
  get closed(): boolean {
    return this.done;
  }

  /** Hands a value to the consumer, or buffers it. Ignored once closed. */
  push(value: T): void {
    if (this.done) return;
    const resolve = this.waiting.shift();
    if (resolve) resolve({ value, done: false });
    else this.buffer.push(value);
  }

  /** Ends the iteration once the buffered values are consumed. */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.end();
    for (const resolve of this.waiting.splice(0)) resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.buffer.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
