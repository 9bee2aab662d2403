import { describe, expect, it, vi } from "vitest";
import { RecentIds } from "./dedupe.js";
import { PushQueue } from "./queue.js";

describe("PushQueue", () => {
  it("buffers pushes until pulled, hands them to waiting pulls, and ends once closed", async () => {
    const end = vi.fn();
    const queue = new PushQueue<number>(end);
    queue.push(1);
    const waiting = [queue.next(), queue.next()];
    queue.push(2);
    queue.close();
    queue.push(3);
    expect(await Promise.all(waiting)).toEqual([
      { value: 1, done: false },
      { value: 2, done: false },
    ]);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(end).toHaveBeenCalledTimes(1);
  });

  it("runs its end callback once when the consumer stops early", async () => {
    const end = vi.fn();
    const queue = new PushQueue<number>(end);
    queue.push(1);
    await queue.return();
    queue.close();
    expect(end).toHaveBeenCalledTimes(1);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });
});

describe("RecentIds", () => {
  it("says first time once per id, forgetting the oldest beyond its capacity", () => {
    const ids = new RecentIds(2);
    expect(["a", "a", "b", "c", "b", "a"].map((id) => ids.firstTime(id))).toEqual([true, false, true, true, false, true]);
  });
});
