/**
 * Work done "later", like a controller reacting to a write: run after the current request has been answered,
 * tracked so a test can `await kube.settled()` instead of sleeping. Errors are collected, not thrown.
 */
export class Scheduler {
  #pending = 0;
  #idle: (() => void)[] = [];
  readonly errors: Error[];

  constructor(errors: Error[]) {
    this.errors = errors;
  }

  run(work: () => void | Promise<void>): void {
    this.#pending += 1;
    setImmediate(async () => {
      try {
        await work();
      } catch (error) {
        this.errors.push(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.#pending -= 1;
        if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve();
      }
    });
  }

  /** Resolves once no scheduled work is left (work scheduled by work included). */
  settled(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
