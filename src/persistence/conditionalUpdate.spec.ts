import { updateIfUnchanged, UPDATE_ATTEMPTS, UpdateConflictError, type VersionedDocument } from './conditionalUpdate';

/** One document in memory; `before` runs before each write, as another writer getting in first would. */
function document(initial: { n: number } | undefined, before?: (stored: { doc: { n: number }; eTag: string } | undefined) => void) {
  let stored = initial && { doc: initial, eTag: '"1"' };
  let version = 1;
  const writes: number[] = [];
  const doc: VersionedDocument<{ n: number }> = {
    read: async () => stored && structuredClone(stored),
    write: async (next, eTag) => {
      before?.(stored);
      if (stored?.eTag !== eTag) return undefined;
      writes.push(next.n);
      stored = { doc: next, eTag: `"${++version}"` };
      return stored.eTag;
    },
    remove: async (eTag) => {
      before?.(stored);
      if (stored && stored.eTag !== eTag) return false;
      stored = undefined;
      return true;
    },
  };
  return { doc, writes, stored: () => stored, bump: () => (stored = stored && { doc: { n: stored.doc.n + 100 }, eTag: `"${++version}"` }) };
}

describe('updateIfUnchanged', () => {
  it('applies the change to the stored copy and writes it on its eTag', async () => {
    const d = document({ n: 1 });
    const updated = await updateIfUnchanged(d.doc, { name: 'add one', apply: (c) => ({ write: { n: c!.n + 1 }, result: 'done' }) });
    expect(updated).toMatchObject({ result: 'done', changed: true, stored: { doc: { n: 2 } } });
    expect(d.writes).toEqual([2]);
  });

  it('re-applies the change to a fresh copy when someone else wrote first, so neither change is lost', async () => {
    let raced = false;
    const d = document({ n: 1 }, () => {
      if (!raced) {
        raced = true;
        d.bump();
      }
    });
    await updateIfUnchanged(d.doc, { name: 'add one', apply: (c) => ({ write: { n: c!.n + 1 }, result: undefined }) });
    expect(d.stored()?.doc).toEqual({ n: 102 });
  });

  it('leaves the document as it is when the change says so', async () => {
    const d = document({ n: 1 });
    const updated = await updateIfUnchanged(d.doc, { name: 'nothing', apply: () => ({ keep: 'unchanged' }) });
    expect(updated).toMatchObject({ result: 'unchanged', changed: false, stored: { doc: { n: 1 } } });
    expect(d.writes).toEqual([]);
  });

  it('creates a document that is not there yet, when the change makes one', async () => {
    const d = document(undefined);
    await updateIfUnchanged(d.doc, { name: 'start', apply: (c) => ({ write: { n: (c?.n ?? 0) + 1 }, result: undefined }) });
    expect(d.stored()?.doc).toEqual({ n: 1 });
  });

  it(`gives up after ${UPDATE_ATTEMPTS} conflicts, naming the change`, async () => {
    const d = document({ n: 1 }, () => d.bump());
    const tries: number[] = [];
    await expect(
      updateIfUnchanged(d.doc, { name: 'add one', apply: (c) => (tries.push(c!.n), { write: { n: c!.n + 1 }, result: undefined }) }),
    ).rejects.toEqual(new UpdateConflictError('add one'));
    expect(tries).toHaveLength(UPDATE_ATTEMPTS);
    expect(d.writes).toEqual([]);
  });

  it('removes the document on its eTag, deciding again on a fresh copy when someone else wrote first', async () => {
    let raced = false;
    const d = document({ n: 1 }, () => {
      if (!raced) {
        raced = true;
        d.bump();
      }
    });
    const seen: number[] = [];
    const removeSmall = { name: 'remove if small', apply: (c: { n: number } | undefined) => (seen.push(c!.n), c!.n < 200 ? { remove: 'removed' } : { keep: 'kept' }) };
    expect(await updateIfUnchanged(d.doc, removeSmall)).toMatchObject({ result: 'removed', changed: true });
    expect(seen).toEqual([1, 101]);
    expect(d.stored()).toBeUndefined();
    // Nothing left to remove: nothing is written.
    expect(await updateIfUnchanged(d.doc, { name: 'remove', apply: () => ({ remove: 'removed' }) })).toMatchObject({ result: 'removed', changed: false });
    expect(d.writes).toEqual([]);
  });

  it("gives up after the change's own number of attempts when it names one", async () => {
    const d = document({ n: 1 }, () => d.bump());
    const tries: number[] = [];
    await expect(
      updateIfUnchanged(d.doc, { name: 'add one', apply: (c) => (tries.push(c!.n), { write: { n: c!.n + 1 }, result: undefined }) }, { attempts: 3 }),
    ).rejects.toEqual(new UpdateConflictError('add one'));
    expect(tries).toEqual([1, 101, 201]);
  });
});
