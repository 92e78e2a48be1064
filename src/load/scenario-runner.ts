import { performance } from 'node:perf_hooks';
import type { Failure, NameFolds, RequestSink } from '../stats/index.js';
import type { ClientConfig } from '../util/client-config.js';
import { type Connections, SharedPool, UserConnections } from './connections.js';
import type { LoadTarget } from './load-target.js';
import { Random, userSeed } from './random.js';
import type { TaskSet, TaskSetClass, User, UserClass } from './scenario.js';
import type { Segment } from './segment.js';
import { inTask, type TaskScope } from './stray-errors.js';
import { pickerOf, ScenarioError, type TaskPicker } from './task-picker.js';
import { UserHttpClient } from './user-http-client.js';

export interface ScenarioRunnerOptions {
  readonly classes: readonly UserClass[];
  readonly host: string;
  readonly sink: RequestSink;
  /** Users share one pool per origin instead of each having its own connections. */
  readonly sharedPool?: boolean;
  readonly seed: number;
  /** Open model: the most users that may exist at once. */
  readonly maxUsers?: number;
  /**
   * The part of the plan this runner runs: its users are the whole plan's users it owns, with
   * their ids (so their seeds) and classes. @default the whole plan
   */
  readonly segment?: Segment;
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string | null>>;
  readonly rawNames?: boolean;
  /** Which integers of request names stay as they are, shared by every user here. */
  readonly names?: NameFolds;
  /** TLS trust, client certificate and protocol. */
  readonly client?: ClientConfig;
}

interface VirtualUser {
  readonly user: User;
  readonly cls: UserClass;
  readonly client: UserHttpClient;
  readonly picker: TaskPicker;
  readonly sets: Map<TaskSetClass, TaskSet>;
  stopped: boolean;
  /** Tasks run without waiting between them, to give the event loop a turn now and then. */
  turns: number;
  wake: (() => void) | undefined;
  done: Promise<void>;
  /** What its tasks' stray errors are charged to. */
  readonly scope: TaskScope;
  readonly picked: (label: string) => void;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A task's exception as a failure: its message, and its stack's frames as Locust's traceback. */
function thrown(error: unknown): Failure {
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : '';
  const frames = stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    // The loader's query on the scenario's URL says nothing to the reader.
    .map((line) => line.replace(/\?tsx-namespace=[^:)]*/, ''))
    .join('\n');
  return { kind: 'exception', message: describe(error), ...(frames ? { traceback: frames } : {}) };
}

/** Runs user classes: a loop per user in the closed model, one task per iteration in the open one. */
export class ScenarioRunner implements LoadTarget {
  private readonly running: VirtualUser[] = [];
  private readonly idle: VirtualUser[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly weights: number[];
  private readonly current: number[];
  private allocated = 0;
  private nextId: number;
  /** Users the class rotation has handed out, this runner's or not (the whole plan's order). */
  private rotated = 0;
  private stopping = false;
  /** The clients of users that exist (a stopped user's goes, with its cookies). */
  private readonly clients = new Set<UserHttpClient>();
  private readonly shared: SharedPool | undefined;
  private settled: (() => void) | undefined;
  readonly #unawaitedSaid = new Set<string>();

  constructor(private readonly options: ScenarioRunnerOptions) {
    this.nextId = options.segment?.index ?? 0;
    this.weights = options.classes.map((c) => c.weight ?? 1);
    this.current = this.weights.map(() => 0);
    this.shared = options.sharedPool ? new SharedPool(options.client) : undefined;
    for (const cls of options.classes) pickerOf(cls);
  }

  get users(): number {
    return this.running.length + this.allocated;
  }

  /**
   * The class of global user `id`: smooth weighted round-robin over the whole plan's users, so
   * any prefix of them follows the class weights closely, however they are split.
   */
  private classOf(id: number): UserClass {
    let cls = this.rotate();
    while (this.rotated <= id) cls = this.rotate();
    return cls;
  }

  private rotate(): UserClass {
    this.rotated++;
    const total = this.weights.reduce((a, b) => a + b, 0);
    let best = 0;
    for (let i = 0; i < this.weights.length; i++) {
      this.current[i] = (this.current[i] as number) + (this.weights[i] as number);
      if ((this.current[i] as number) > (this.current[best] as number)) best = i;
    }
    this.current[best] = (this.current[best] as number) - total;
    return this.options.classes[best] as UserClass;
  }

  private create(): VirtualUser {
    const id = this.nextId;
    this.nextId += this.options.segment?.count ?? 1;
    const cls = this.classOf(id);
    const connections: Connections = this.shared ?? new UserConnections(this.options.client);
    const client = new UserHttpClient(connections, {
      host: this.options.host,
      sink: this.options.sink,
      timeoutMs: this.options.timeoutMs,
      headers: this.options.headers,
      rawNames: this.options.rawNames,
      names: this.options.names,
      maxRedirects: this.options.client?.maxRedirects,
    });
    this.clients.add(client);
    const random = new Random(userSeed(this.options.seed, id));
    let user: User;
    try {
      user = new cls({ id, client, random, host: this.options.host });
    } catch (error) {
      throw new ScenarioError(
        `${cls.name}'s constructor threw: ${describe(error)}; fix it, or move the work to onStart()`,
      );
    }
    const scope: TaskScope = {
      userClass: cls.name,
      task: '',
      record: (message) =>
        this.options.sink.error('TASK', cls.name, { kind: 'exception', message }),
    };
    return {
      user,
      cls,
      client,
      picker: pickerOf(cls),
      sets: new Map(),
      stopped: false,
      turns: 0,
      wake: undefined,
      done: Promise.resolve(),
      scope,
      picked: (label) => {
        scope.task = label;
      },
    };
  }

  private async hook(vu: VirtualUser, which: 'onStart' | 'onStop'): Promise<void> {
    try {
      await vu.user[which]();
    } catch (error) {
      this.options.sink.error('TASK', `${vu.cls.name}.${which}`, thrown(error));
    }
  }

  private async runTask(vu: VirtualUser): Promise<void> {
    try {
      await inTask(vu.scope, () =>
        vu.picker.run(vu.user, vu.user.random, vu.sets, vu.user, vu.picked),
      );
    } catch (error) {
      this.options.sink.error('TASK', vu.cls.name, thrown(error));
    }
    if (vu.client.inFlight > 0) this.#unawaited(vu);
  }

  /**
   * A task that returned with requests still in flight did not await them: its user starts the
   * next task at once, and requests pile up faster than any server answers. Said once a task,
   * in the result's errors, where the run's figures are read.
   */
  #unawaited(vu: VirtualUser): void {
    const key = `${vu.cls.name}\n${vu.scope.task}`;
    if (this.#unawaitedSaid.has(key)) return;
    this.#unawaitedSaid.add(key);
    // A group of its own (named after the task), not merged into the task's exceptions.
    this.options.sink.error('TASK', `${vu.cls.name}.${vu.scope.task}`, {
      kind: 'exception',
      message: `${vu.scope.task || 'a task'}: returned with ${vu.client.inFlight} request(s) it did not await; await each one (await this.client.get(...)), or the user sends faster than the service answers and the figures measure the pile-up`,
    });
  }

  private sleep(vu: VirtualUser, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        vu.wake = undefined;
        resolve();
      }, ms);
      vu.wake = () => {
        clearTimeout(timer);
        vu.wake = undefined;
        resolve();
      };
    });
  }

  private async loop(vu: VirtualUser): Promise<void> {
    await this.hook(vu, 'onStart');
    while (!vu.stopped) {
      const started = performance.now();
      const sent = vu.client.requests;
      await this.runTask(vu);
      if (vu.stopped) break;
      const wait = vu.cls.waitTime.next(vu.user.random, (performance.now() - started) / 1000);
      if (wait > 0) await this.sleep(vu, wait * 1000);
      // A task that sent no request may not have waited on I/O at all, and would starve the
      // event loop; one that did has let the loop turn already, unless its request failed at
      // once (an invalid header), hence a turn every 64 tasks all the same.
      else if (vu.client.requests === sent || ++vu.turns % 64 === 0)
        await new Promise((resolve) => setImmediate(resolve));
    }
    await this.hook(vu, 'onStop');
    // A stopped user's connections go with it (a shared pool stays for the others), and its
    // client, cookie jar included, is forgotten.
    if (!this.shared) await vu.client.connections.close();
    this.clients.delete(vu.client);
  }

  setUsers(count: number): void {
    if (this.stopping) return;
    while (this.running.length < count) {
      const vu = this.create();
      vu.done = this.loop(vu);
      this.running.push(vu);
    }
    while (this.running.length > count) {
      const vu = this.running.pop() as VirtualUser;
      vu.stopped = true;
      vu.wake?.();
    }
  }

  onSettled(callback: (() => void) | undefined): void {
    this.settled = callback;
  }

  startIteration(intended: number): boolean {
    if (this.stopping) return false;
    let vu = this.idle.pop();
    let fresh = false;
    if (!vu) {
      if (this.allocated >= (this.options.maxUsers ?? Number.POSITIVE_INFINITY)) return false;
      vu = this.create();
      this.allocated++;
      fresh = true;
    }
    const run = this.iterate(vu, intended, fresh);
    this.inFlight.add(run);
    run.then(() => this.inFlight.delete(run));
    return true;
  }

  private async iterate(vu: VirtualUser, intended: number, fresh: boolean): Promise<void> {
    if (fresh) await this.hook(vu, 'onStart');
    vu.client.intendedStart = intended;
    await this.runTask(vu);
    vu.client.intendedStart = undefined;
    if (this.stopping) await this.hook(vu, 'onStop');
    else {
      this.idle.push(vu);
      this.settled?.();
    }
  }

  /** Every user's connections (or the shared pool), each once. */
  #connections(): Connections[] {
    return [...new Set([...this.clients].map((c) => c.connections))];
  }

  /** Closes every connection once its requests have ended (after `stop`). */
  async closeConnections(): Promise<void> {
    await Promise.all(this.#connections().map((c) => c.close()));
  }

  async stop(graceMs: number): Promise<void> {
    const loops = this.running.map((vu) => vu.done);
    this.setUsers(0);
    this.stopping = true;
    const everything = Promise.all([...loops, ...this.inFlight]);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([everything.then(() => 'done' as const), graceOver]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      for (const client of this.clients) client.recording = false;
      await Promise.all(this.#connections().map((c) => c.destroy()));
    }
    await Promise.all(this.idle.map((vu) => this.hook(vu, 'onStop')));
    this.idle.length = 0;
  }
}
