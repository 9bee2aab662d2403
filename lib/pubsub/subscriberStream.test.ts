import { describe, expect, it, vi } from "vitest";
import { RecentIds } from "./dedupe.js";
import { subscriberStream, type Feed } from "./subscriberStream.js";

/** A stream whose feed the test holds once the subscriber first pulled. */
function fed(capacity?: number) {
  const end = vi.fn();
  let feed: Feed<number> | undefined;
  const stream = subscriberStream<number>(
    (given) => {
      feed = given;
      return end;
    },
    { capacity, overflow: (n) => new Error(`more than ${n} unread`) },
  );
  return { stream, end, feed: () => feed! };
}

describe("subscriberStream", () => {
  it("buffers pushes until pulled, hands them to waiting pulls in order, and ends once closed", async () => {
    const { stream, end, feed } = fed();
    const first = stream.next();
    await vi.waitFor(() => expect(feed()).toBeDefined());
    feed().push(1);
    const waiting = [stream.next(), stream.next()];
    feed().push(2);
    feed().push(3);
    feed().close();
    feed().push(4);
    expect(await Promise.all([first, ...waiting])).toEqual([
      { value: 1, done: false },
      { value: 2, done: false },
      { value: 3, done: false },
    ]);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(end).toHaveBeenCalledTimes(1);
  });

  it("runs its end callback once, at once, when the consumer stops early, even while waiting for a value", async () => {
    const { stream, end, feed } = fed();
    const waiting = stream.next();
    await vi.waitFor(() => expect(feed()).toBeDefined());
    await stream.return(undefined);
    expect(await waiting).toEqual({ value: undefined, done: true });
    feed().close();
    await vi.waitFor(() => expect(end).toHaveBeenCalledTimes(1));
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it("sets nothing up for a subscriber that never pulls", async () => {
    const { stream, end, feed } = fed();
    await stream.return(undefined);
    expect(feed()).toBeUndefined();
    expect(end).not.toHaveBeenCalled();
  });

  it("ends with the overflow error after the values it holds, when the subscriber falls too far behind", async () => {
    const { stream, end, feed } = fed(2);
    const first = stream.next();
    await vi.waitFor(() => expect(feed()).toBeDefined());
    for (const value of [1, 2, 3, 4]) feed().push(value);
    expect(await first).toEqual({ value: 1, done: false });
    expect(await stream.next()).toEqual({ value: 2, done: false });
    expect(await stream.next()).toEqual({ value: 3, done: false });
    await expect(stream.next()).rejects.toThrow("more than 2 unread");
    expect(end).toHaveBeenCalledTimes(1);
  });
});

describe("RecentIds", () => {
  it("says first time once per id, forgetting the oldest beyond its capacity", () => {
    const ids = new RecentIds(2);
    expect(["a", "a", "b", "c", "b", "a"].map((id) => ids.firstTime(id))).toEqual([true, false, true, true, false, true]);
  });
});
