/**
 * A wait that ends early when woken: the relay sleeps until its next poll unless a
 * notification (or stop) comes first. A wake with nobody waiting is remembered, so that a
 * notification that arrives while the relay is busy is not lost.
 */
export class Wakeup {
  private pending = false;
  private resolve: (() => void) | undefined;

  /** Ends the current wait, or the next one at once. */
  wake(): void {
    this.pending = true;
    this.resolve?.();
  }

  /** Resolves after `ms`, or as soon as woken. */
  async wait(ms: number): Promise<void> {
    if (!this.pending) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.resolve = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.resolve = undefined;
    }
    this.pending = false;
  }
}
