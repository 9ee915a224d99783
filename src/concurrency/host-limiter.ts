/**
 * Bounded concurrency per registry host: every request-heavy step (a blob transfer, a manifest read or
 * write) takes a slot on each host it talks to. Steps that need several hosts (one source read feeding
 * uploads to several destinations) take their slots in one fixed order, so two such steps cannot each hold
 * a slot the other waits for.
 */

class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(slots: number) {
    this.#free = slots;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free += 1;
  }
}

export class HostLimiter {
  readonly perHost: number;
  readonly #hosts = new Map<string, Semaphore>();

  constructor(perHost: number) {
    if (!Number.isInteger(perHost) || perHost < 1) throw new TypeError(`HostLimiter: ${perHost} slots`);
    this.perHost = perHost;
  }

  /** Runs `work` holding one slot on each of `hosts` (duplicates count once). */
  async run<T>(hosts: readonly string[], work: () => Promise<T>): Promise<T> {
    const ordered = [...new Set(hosts)].sort();
    const held: Semaphore[] = [];
    try {
      for (const host of ordered) {
        const semaphore = this.#semaphore(host);
        await semaphore.acquire();
        held.push(semaphore);
      }
      return await work();
    } finally {
      for (const semaphore of held) semaphore.release();
    }
  }

  #semaphore(host: string): Semaphore {
    let semaphore = this.#hosts.get(host);
    if (!semaphore) {
      semaphore = new Semaphore(this.perHost);
      this.#hosts.set(host, semaphore);
    }
    return semaphore;
  }
}
