/**
 * Conflict tests on the memory twins: the same port, where each of the first `times` calls to one read method
 * lets another writer in just after the read (`interfere`), so the caller's conditional write meets a changed
 * document, as two turns, or two leads, writing at once would.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AsyncMethod = (...args: any[]) => Promise<any>;

export function withRacingReads<P extends object, M extends keyof P>(
  port: P,
  read: M,
  times: number,
  interfere: (found: Awaited<ReturnType<Extract<P[M], AsyncMethod>>>, race: number) => Promise<unknown>,
): { port: P; raced: () => number; reads: () => number } {
  let raced = 0;
  let reads = 0;
  const original = port[read] as unknown as AsyncMethod;
  const racing: P = Object.create(port);
  (racing as Record<M, AsyncMethod>)[read] = async (...args) => {
    const found = await original.apply(port, args);
    reads += 1;
    if (raced < times) {
      raced += 1;
      await interfere(found, raced);
    }
    return found;
  };
  return { port: racing, raced: () => raced, reads: () => reads };
}
