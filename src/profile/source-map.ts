import { existsSync, readFileSync } from 'node:fs';
import { findSourceMap, SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A place in a source file; line 1-based. */
export interface SourcePlace {
  readonly file: string;
  readonly line: number;
}

/**
 * Maps places in built JavaScript back to the TypeScript they came from, through the `.js.map`
 * beside each file (tsc's `sourceMap: true`). Files without one keep their place. Maps are read
 * once each.
 */
export class SourceMapper {
  readonly #maps = new Map<string, SourceMap | null>();

  constructor(
    /** Paths are shown relative to this folder (the repository), when under it. */
    private readonly root: string = process.cwd(),
  ) {}

  #map(path: string, url: string): SourceMap | null {
    let map = this.#maps.get(url);
    if (map !== undefined) return map;
    map = null;
    const file = `${path}.map`;
    if (existsSync(file)) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(file, 'utf8')));
      } catch {
        map = null;
      }
    }
    // A module this process loaded with source maps on (--target: tsx's inline maps, under the
    // URL it loaded, query and all).
    map ??= findSourceMap(url) ?? findSourceMap(path) ?? null;
    this.#maps.set(url, map);
    return map;
  }

  /**
   * The `file://` URLs of `urls` that this process cannot map (no `.map` beside the file, not a
   * module it loaded): a service run through a loader such as tsx keeps their maps in memory.
   */
  unmapped(urls: Iterable<string>): string[] {
    return [...new Set(urls)].filter((url) => {
      if (!url.startsWith('file://')) return false;
      return this.#map(fileURLToPath(url), url) === null;
    });
  }

  /** Uses a source map another process holds for `url` (its payload, from `findSourceMap`). */
  add(url: string, payload: unknown): void {
    try {
      this.#maps.set(url, new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]));
    } catch {
      // Not a source map: the place stays as it is.
    }
  }

  /** The original place of `url` at `line` (1-based) and `column` (0-based). */
  place(url: string, line: number, column: number): SourcePlace {
    if (!url.startsWith('file://')) return { file: url, line };
    const path = fileURLToPath(url);
    const map = this.#map(path, url);
    const entry = (map && line > 0 ? map.findEntry(line - 1, column) : undefined) as
      | { originalSource?: string; originalLine?: number }
      | undefined;
    if (entry?.originalSource && entry.originalLine !== undefined) {
      const source = entry.originalSource.startsWith('file://')
        ? fileURLToPath(entry.originalSource)
        : resolve(dirname(path), entry.originalSource);
      return { file: this.#shown(source), line: entry.originalLine + 1 };
    }
    return { file: this.#shown(path), line };
  }

  #shown(path: string): string {
    const rel = relative(this.root, path);
    return rel.startsWith('..') ? path : rel;
  }
}
