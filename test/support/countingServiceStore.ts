import type { ServiceStore } from '../../src/serviceEvents/store';

/** A service store whose every call, by part and method ("months.write"), is noted: the round trip it is in Cosmos DB. */
export function countingServiceStore<S extends ServiceStore>(store: S): { calls: string[]; store: S } {
  const calls: string[] = [];
  const count = <T extends object>(name: string, target: T): T =>
    new Proxy(target, {
      get: (t, p) => {
        const value = Reflect.get(t, p);
        return typeof value === 'function' ? (...args: unknown[]) => (calls.push(`${name}.${String(p)}`), value.apply(t, args)) : value;
      },
    });
  return { calls, store: { ...store, events: count('events', store.events), people: count('people', store.people), months: count('months', store.months) } };
}
