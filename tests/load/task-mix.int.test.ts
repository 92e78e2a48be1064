import { describe, expect, it } from 'vitest';
import { pickerOf, Random, TaskSet, task, User, type UserClass } from '../../src/load/index.js';
import { startHttpServer } from '../helpers/http-server.js';
import { closed, runScenario } from '../helpers/load.js';

class Inner extends TaskSet {
  static override tasks = [task(3, 'x'), task(1, 'y')];
  x() {
    (this.user as Counting).counts.x++;
  }
  y() {
    (this.user as Counting).counts.y++;
  }
}

class Counting extends User {
  static override tasks = [task(80, Inner), task(15, 'z'), task(5, (u: Counting) => u.counts.w++)];
  counts = { x: 0, y: 0, z: 0, w: 0 };
  z() {
    this.counts.z++;
  }
}

describe('weighted tasks', () => {
  it('picks nested task sets with their weights multiplied (80% x 3/4 = 60%)', () => {
    const picks = 40_000;
    const user = new Counting({
      id: 0,
      client: undefined as never,
      random: new Random(1),
      host: '',
    });
    const sets = new Map();
    for (let i = 0; i < picks; i++) pickerOf(Counting).run(user, user.random, sets, user);
    const expected = { x: 0.6, y: 0.2, z: 0.15, w: 0.05 };
    for (const [name, share] of Object.entries(expected)) {
      const count = user.counts[name as keyof typeof expected];
      // Five standard deviations of a binomial count: fails by chance about once in 3.5 million.
      const sd = Math.sqrt(picks * share * (1 - share));
      expect(Math.abs(count - picks * share)).toBeLessThan(5 * sd);
    }
    const shares = pickerOf(Counting).shares();
    expect(Object.keys(shares).sort()).toEqual(['Inner.x', 'Inner.y', 'anonymous', 'z']);
    expect(shares['Inner.x']).toBeCloseTo(0.6, 12);
    expect(shares['Inner.y']).toBeCloseTo(0.2, 12);
    expect(shares.z).toBeCloseTo(0.15, 12);
    expect(shares.anonymous).toBeCloseTo(0.05, 12);
  });

  it('rejects a task naming a method the class lacks, and a class with no tasks', () => {
    class Typo extends User {
      static override tasks = [task(1, 'missing')];
    }
    class Empty extends User {}
    expect(() => pickerOf(Typo as UserClass)).toThrow(/Typo has no method 'missing'/);
    expect(() => pickerOf(Empty as UserClass)).toThrow(/Empty has no tasks/);
    expect(() => task(0, 'x')).toThrow(/weight/);
  });

  it('sends the mix it is weighted for over real HTTP, named per request', async () => {
    const server = await startHttpServer((req, res) => {
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end('{}');
    });
    class Mix extends User {
      static override tasks = [task(3, 'a'), task(1, 'b')];
      async a() {
        await this.client.get('/a?x=1');
      }
      async b() {
        await this.client.post('/missing', {
          name: 'B',
          json: { k: 1 },
          check: (r) => r.status === 404,
        });
      }
    }
    const result = await runScenario(server.url, [Mix], closed(4, 800));
    await server.close();
    const a = result.endpoints.find((e) => e.name === '/a')!;
    const b = result.endpoints.find((e) => e.name === 'B')!;
    expect(b.method).toBe('POST');
    // A 404 the check accepts is a success.
    expect(b.failures).toBe(0);
    const n = a.requests + b.requests;
    expect(n).toBeGreaterThan(200);
    expect(Math.abs(a.requests / n - 0.75)).toBeLessThan(5 * Math.sqrt((0.75 * 0.25) / n));
    expect(result.totals.requests).toBe(n);
  });

  it('assigns users to classes by weight', async () => {
    const server = await startHttpServer((_req, res) => res.end('ok'));
    const seen = new Map<string, Set<number>>();
    const make = (label: string, weight: number) =>
      class extends User {
        static override weight = weight;
        static override tasks = [
          task(1, async (u: User) => {
            if (!seen.has(label)) seen.set(label, new Set());
            seen.get(label)!.add(u.id);
            await u.client.get('/', { name: label });
          }),
        ];
      };
    await runScenario(server.url, [make('heavy', 3), make('light', 1)], closed(8, 500));
    await server.close();
    expect(seen.get('heavy')!.size).toBe(6);
    expect(seen.get('light')!.size).toBe(2);
  });
});
