/** Runs work over items with at most `limit` at a time; `shouldStop` ends the taking of new items. */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  worker: (item: T) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<{ notStarted: T[] }> {
  const taken = await runLanes(items.length, limit, (index) => worker(items[index] as T), shouldStop);
  return { notStarted: items.slice(taken) };
}

/** Maps items with at most `limit` in flight, keeping the order of the results. */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  await runLanes(items.length, limit, async (index) => {
    results[index] = await map(items[index] as T);
  });
  return results;
}

/**
 * At most `limit` lanes taking the indexes 0 … count-1 in turn; the number of indexes taken. By index, so
 * a list of 100k tags gets no second list of wrappers.
 */
async function runLanes(
  count: number,
  limit: number,
  work: (index: number) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<number> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count && !shouldStop()) {
      const index = next;
      next += 1;
      await work(index);
    }
  });
  await Promise.all(lanes);
  return next;
}

/**
 * A pool whose items arrive over time: at most `limit` run at once; `shouldStop` ends the taking of new
 * items. `close()` says no more will come and waits for the running ones.
 */
export class WorkQueue<T> {
  readonly #limit: number;
  readonly #worker: (item: T) => Promise<void>;
  readonly #shouldStop: () => boolean;
  readonly #waiting: T[] = [];
  readonly #lanes = new Set<Promise<void>>();

  constructor(limit: number, worker: (item: T) => Promise<void>, shouldStop: () => boolean = () => false) {
    this.#limit = limit;
    this.#worker = worker;
    this.#shouldStop = shouldStop;
  }

  push(...items: T[]): void {
    this.#waiting.push(...items);
    while (this.#lanes.size < this.#limit && this.#waiting.length > 0 && !this.#shouldStop()) {
      const lane: Promise<void> = this.#lane().finally(() => this.#lanes.delete(lane));
      this.#lanes.add(lane);
    }
  }

  /** Waits until every started item has finished; returns the items never started. */
  async close(): Promise<{ notStarted: T[] }> {
    while (this.#lanes.size > 0) await Promise.all(this.#lanes);
    return { notStarted: this.#waiting.splice(0) };
  }

  async #lane(): Promise<void> {
    // A lane starts on a later tick so that `push` returns before any worker runs.
    await Promise.resolve();
    for (let item = this.#next(); item !== undefined; item = this.#next()) await this.#worker(item.value);
  }

  #next(): { value: T } | undefined {
    if (this.#shouldStop() || this.#waiting.length === 0) return undefined;
    return { value: this.#waiting.shift() as T };
  }
}
