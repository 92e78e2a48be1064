import { FOLD_AFTER_VALUES } from '../names.js';

const INTEGER = /^\d+$/;

/** A position that went past the threshold: the values that keep their names, as they were. */
export type Fold = readonly [key: string, kept: readonly string[]];

interface Position {
  /** The values named as they are, in the order seen (at most the threshold's worth). */
  readonly values: Set<string>;
  folded: boolean;
}

export interface NameFoldsOptions {
  /**
   * Whether this table decides (the run's thread, which sees every share's names) or follows the
   * decisions it is told (`apply`), naming what it has not been told as it is. @default true
   */
  readonly decides?: boolean;
  /** Distinct values a position names as they are; the next one folds it. @default 20 */
  readonly threshold?: number;
  /** Called when a position folds, with the values that keep their names. */
  readonly onFold?: (fold: Fold) => void;
}

/**
 * Decides which integers in request names stay as they are (`/status/404`) and which become
 * `:id` (`/item/:id`): a position (the method and the name up to the segment, its integers read
 * as `:id`) names its first `threshold` distinct values as they are; from the next distinct value
 * on it is folded, and every later new value is `:id`. A name never changes once given: the
 * values named before the fold keep their names (and rows) for the rest of the run.
 *
 * Shares of a run (worker threads, agents) each follow the run's table: a name with an integer at
 * a position they were not told about is provisional (`takeProvisional`), and the run's table
 * decides it when the share's delta is merged, so a run names a URL the same on any number of
 * threads, and a name's requests are never split between its row and the fold's.
 */
export class NameFolds {
  readonly threshold: number;
  readonly #decides: boolean;
  readonly #onFold: NameFoldsOptions['onFold'];
  readonly #positions = new Map<string, Position>();
  /** Follower: names given since the last take that hold an integer no decision covers. */
  #provisional = new Map<string, Set<string>>();

  constructor(options: NameFoldsOptions = {}) {
    this.threshold = options.threshold ?? FOLD_AFTER_VALUES;
    this.#decides = options.decides ?? true;
    this.#onFold = options.onFold;
  }

  /**
   * The name of a request whose path was templated with its integers kept (`keepIntegers`): each
   * integer segment as it is, or `:id` where its position is folded. Returns `name` itself (no
   * new string) when nothing is replaced.
   */
  resolve(method: string, name: string): string {
    // Most names have no integer segment: one scan, nothing built.
    if (!/\/\d+(?:\/|$)/.test(name) && !/^\d+(?:\/|$)/.test(name)) return name;
    const segments = name.split('/');
    let key = `${method} `;
    let out = '';
    let changed = false;
    let provisional = false;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] as string;
      if (i > 0) {
        key += '/';
        out += '/';
      }
      if (!INTEGER.test(segment)) {
        key += segment;
        out += segment;
        continue;
      }
      const named = this.#value(key, segment);
      if (named === undefined) provisional = true;
      else if (named !== segment) changed = true;
      out += named ?? segment;
      key += ':id';
    }
    const resolved = changed ? out : name;
    if (provisional) {
      let names = this.#provisional.get(method);
      if (!names) {
        names = new Set();
        this.#provisional.set(method, names);
      }
      names.add(resolved);
    }
    return resolved;
  }

  /** How the value at a position is named, or undefined where a follower was not told. */
  #value(key: string, value: string): string | undefined {
    let position = this.#positions.get(key);
    if (!position) {
      if (!this.#decides) return undefined;
      position = { values: new Set(), folded: false };
      this.#positions.set(key, position);
    }
    if (position.values.has(value)) return value;
    if (position.folded) return ':id';
    if (!this.#decides) return undefined;
    if (position.values.size < this.threshold) {
      position.values.add(value);
      return value;
    }
    position.folded = true;
    this.#onFold?.([key, [...position.values]]);
    return ':id';
  }

  /** Follower: the run's table folded these positions. */
  apply(folds: readonly Fold[]): void {
    for (const [key, kept] of folds)
      this.#positions.set(key, { values: new Set(kept), folded: true });
  }

  /** Follower: the provisional names given since the last call, as `[method, name]`. */
  takeProvisional(): Array<readonly [string, string]> | undefined {
    if (this.#provisional.size === 0) return undefined;
    const names: Array<readonly [string, string]> = [];
    for (const [method, set] of this.#provisional)
      for (const name of set) names.push([method, name]);
    this.#provisional = new Map();
    return names;
  }
}
