/** Bounded concurrency, for the engine's applies and the queue's publishes alike. Pure: no I/O of its own. */
/** Runs `work` over `items` with at most `concurrency` in flight; resolves when all have settled. */
export async function forEachConcurrent<T>(
  items: readonly T[], concurrency: number, work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
}
