import { describe, expect, it } from 'vitest';
import { Random, templatePath } from '../../src/load/index.js';
import {
  DeltaRecorder,
  FOLD_AFTER_VALUES,
  type Fold,
  NameFolds,
  StatsRecorder,
} from '../../src/stats/index.js';

const nameOf = (folds: NameFolds, method: string, path: string) =>
  folds.resolve(method, templatePath(path, true));

describe('folding integers of request names by position', () => {
  it('keeps the first 20 distinct values of a position, folds from the 21st, and never renames', () => {
    const folded: Fold[] = [];
    const folds = new NameFolds({ onFold: (fold) => folded.push(fold) });
    expect(FOLD_AFTER_VALUES).toBe(20);
    for (let i = 1; i <= 20; i++) expect(nameOf(folds, 'GET', `/item/${i}`)).toBe(`/item/${i}`);
    expect(folded).toEqual([]);
    expect(nameOf(folds, 'GET', '/item/21?x=1')).toBe('/item/:id');
    expect(folded).toEqual([['GET /item/', Array.from({ length: 20 }, (_, i) => String(i + 1))]]);
    // The values named before the fold keep their names; new ones fold.
    expect(nameOf(folds, 'GET', '/item/7')).toBe('/item/7');
    expect(nameOf(folds, 'GET', '/item/5000/reviews')).toBe('/item/:id/reviews');
    expect(folded).toHaveLength(1);
  });

  it('counts each method and path prefix apart: status codes stay, ids fold', () => {
    const folds = new NameFolds();
    for (let id = 0; id < 500; id++) nameOf(folds, 'GET', `/item/${id}`);
    expect(nameOf(folds, 'GET', '/status/500')).toBe('/status/500');
    expect(nameOf(folds, 'GET', '/status/404')).toBe('/status/404');
    expect(nameOf(folds, 'GET', '/bytes/1024')).toBe('/bytes/1024');
    expect(nameOf(folds, 'GET', '/redirect/3')).toBe('/redirect/3');
    // Another method at the same path has positions of its own.
    expect(nameOf(folds, 'DELETE', '/item/499')).toBe('/item/499');
    expect(nameOf(folds, 'GET', '/item/499')).toBe('/item/:id');
  });

  it('keys a later position by the earlier ones read as :id, so nested ids fold across parents', () => {
    const folds = new NameFolds({ threshold: 3 });
    const names = [1, 2, 3, 4, 5].map((u) => nameOf(folds, 'GET', `/users/${u}/orders/${u * 10}`));
    expect(names).toEqual([
      '/users/1/orders/10',
      '/users/2/orders/20',
      '/users/3/orders/30',
      '/users/:id/orders/:id',
      '/users/:id/orders/:id',
    ]);
    // A kept user with a new order: the order position (shared by every user) is folded.
    expect(nameOf(folds, 'GET', '/users/2/orders/99')).toBe('/users/2/orders/:id');
  });

  it('leaves UUIDs, hashes and dates to the template: they are replaced at once', () => {
    const folds = new NameFolds();
    expect(nameOf(folds, 'GET', '/orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301/items/2')).toBe(
      '/orders/:id/items/2',
    );
    expect(nameOf(folds, 'GET', '/reports/2024-01-15')).toBe('/reports/:date');
    expect(nameOf(folds, 'GET', '/v2/items')).toBe('/v2/items');
  });
});

describe('folding across shares of a run', () => {
  /**
   * Three shares (worker threads or agents) name requests following the run's table, which
   * decides on merging their deltas; the fold is told to the shares `lag` merges late, as a
   * message in flight would be.
   */
  function run(lag: number) {
    const folds: Fold[] = [];
    const pending: Array<{ at: number; fold: Fold }> = [];
    let merges = 0;
    const authority = new NameFolds({ onFold: (fold) => pending.push({ at: merges + lag, fold }) });
    const merged = new StatsRecorder(0, { names: authority });
    const shares = [0, 1, 2].map(() => ({
      names: new NameFolds({ decides: false }),
      recorder: new DeltaRecorder(),
    }));
    const random = new Random(5);
    const tally = new Map<string, number>();
    const paths: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const share = shares[i % 3]!;
      // Per-id URLs, a few status codes, and ids a user comes back to.
      const path =
        i % 3 === 0
          ? `/status/${[200, 404, 500][i % 9 === 0 ? 0 : 1 + (i % 2)]}`
          : i % 5 === 0
            ? `/item/${random.int(1, 15)}`
            : `/item/${random.int(1, 1_000_000)}`;
      paths.push(path);
      tally.set(path, (tally.get(path) ?? 0) + 1);
      share.recorder.record('GET', nameOf(share.names, 'GET', path), 1000, 10);
      if (i % 500 === 499) {
        for (const s of shares) {
          const provisional = s.names.takeProvisional();
          const delta = s.recorder.take();
          merged.merge(provisional ? { ...delta, provisional } : delta);
        }
        merges++;
        for (const p of pending.filter((p) => p.at <= merges)) {
          for (const s of shares) s.names.apply([p.fold]);
          folds.push(p.fold);
        }
        pending.splice(0, pending.length, ...pending.filter((p) => p.at > merges));
      }
    }
    return { merged, tally, folds };
  }

  it.each([0, 1, 3])(
    'folds late messages (%i merges late) without splitting a name between rows',
    (lag) => {
      const { merged, tally, folds } = run(lag);
      const rows = new Map([...merged.endpoints.values()].map((e) => [e.name, e.requests]));
      expect(merged.requests).toBe(6000);
      expect(rows.get('/status/200')).toBe(tally.get('/status/200'));
      expect(rows.get('/status/404')).toBe(tally.get('/status/404'));
      expect(rows.get('/status/500')).toBe(tally.get('/status/500'));
      expect(folds.map(([key]) => key)).toEqual(['GET /item/']);
      const kept = folds[0]![1];
      expect(kept).toHaveLength(FOLD_AFTER_VALUES);
      // Every kept value has all its requests in its own row, from every share, before and
      // after the fold; everything else is in the folded row.
      let keptRequests = 0;
      for (const value of kept) {
        expect(rows.get(`/item/${value}`), value).toBe(tally.get(`/item/${value}`));
        keptRequests += tally.get(`/item/${value}`)!;
      }
      const items = [...tally].filter(([p]) => p.startsWith('/item/'));
      const itemRequests = items.reduce((n, [, c]) => n + c, 0);
      expect(rows.get('/item/:id')).toBe(itemRequests - keptRequests);
      expect(rows.size).toBe(3 + FOLD_AFTER_VALUES + 1);
    },
  );
});
