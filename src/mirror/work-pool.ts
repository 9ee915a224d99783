/** Runs work over items with at most `limit` at a time; `shouldStop` ends the taking of new items. */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  worker: (item: T) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<{ notStarted: T[] }> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !shouldStop()) {
      const item = items[next] as T;
      next += 1;
      await worker(item);
    }
  });
  await Promise.all(lanes);
  return { notStarted: items.slice(next) };
}

/** Maps items with at most `limit` in flight, keeping the order of the results. */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const indexed = items.map((item, index) => ({ item, index }));
  await runPool(indexed, limit, async ({ item, index }) => {
    results[index] = await map(item);
  });
  return results;
}
