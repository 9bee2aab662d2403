/**
 * Remembers the last `capacity` ids seen, to drop the duplicates of at-least-once delivery
 * (a message redelivered after a lost ack reaches Redis, and so each subscriber, twice).
 * Redeliveries come soon after the first copy, so a bounded window is enough.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** True the first time `id` is seen (within the window), false for a duplicate. */
  firstTime(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    // A Set iterates in insertion order: the first entry is the oldest.
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}
