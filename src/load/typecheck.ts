import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PACKAGE_ENTRIES } from '../util/import-module.js';
import { workerUrl } from '../util/worker-url.js';

export interface TypeProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/**
 * The declarations scenarios import as 'fiml-perf' and its subpaths ('fiml-perf/runner', ...):
 * the .ts entries from source, their .d.ts when built.
 */
function packagePaths(): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(PACKAGE_ENTRIES).map(([name, url]) => {
      const entry = fileURLToPath(url);
      const declarations = entry.replace(/\.js$/, '.d.ts');
      return [name, [existsSync(declarations) ? declarations : entry]];
    }),
  );
}

/**
 * The folder of Node's declarations (Buffer, process, node:fs): @types/node, which fiml-perf
 * installs, so a user's scenario type-checks without an install of their own (issue 24).
 */
function nodeTypeRoot(): string | undefined {
  try {
    return dirname(dirname(createRequire(import.meta.url).resolve('@types/node/package.json')));
  } catch {
    return undefined;
  }
}

/**
 * Type-checks a scenario file with the TypeScript compiler (strict, as this repository is), with
 * `fiml-perf` and its subpaths resolved to this package's types, in a worker thread that ends with
 * the check: the compiler takes about 150 MB that a run should not keep. Returns every problem,
 * empty when it is sound.
 */
export function typecheckScenario(path: string): Promise<TypeProblem[]> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(workerUrl('typecheck-worker', import.meta.url), {
      workerData: { path, cwd: process.cwd() },
    });
    let problems: TypeProblem[] | undefined;
    worker.once('message', (message: TypeProblem[]) => {
      problems = message;
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      problems
        ? resolvePromise(problems)
        : reject(new Error(`the type-check worker exited with code ${code}`)),
    );
  });
}

/** The check itself, in the calling thread (the worker's body). */
export async function checkTypes(path: string, cwd: string): Promise<TypeProblem[]> {
  const ts = (await import('typescript')).default;
  const file = resolve(path);
  const typeRoot = nodeTypeRoot();
  const options: import('typescript').CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    esModuleInterop: true,
    // Node's own declarations, as scenarios run in Node; without them (an install that lost
    // @types/node), DOM's lib still gives timers, fetch, URL and console.
    ...(typeRoot
      ? { lib: ['lib.es2023.d.ts'], typeRoots: [typeRoot], types: ['node'] }
      : { lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'], types: [] }),
    paths: packagePaths(),
  };
  const program = ts.createProgram([file], options);
  const where = (source: import('typescript').SourceFile, start: number) => {
    const { line, character } = source.getLineAndCharacterOfPosition(start);
    const shown = relative(cwd, source.fileName) || source.fileName;
    return {
      file: shown.startsWith('..') ? source.fileName : shown,
      line: line + 1,
      column: character + 1,
    };
  };
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      if (!d.file || d.start === undefined) return { file: path, line: 0, column: 0, message };
      return { ...where(d.file, d.start), message };
    });
  const source = program.getSourceFile(file);
  if (!source) return problems;
  return [...problems, ...missingTaskMethods(ts, program.getTypeChecker(), source, where)];
}

/**
 * `task(6, 'gett')` type-checks (a task names a method by a string), but the class has no such
 * method: each `static tasks = [...]` entry naming a method is checked against its class (its
 * own methods and those it inherits), so the check, not the run, says so, with the line.
 */
function missingTaskMethods(
  ts: typeof import('typescript'),
  checker: import('typescript').TypeChecker,
  source: import('typescript').SourceFile,
  where: (
    source: import('typescript').SourceFile,
    start: number,
  ) => { file: string; line: number; column: number },
): TypeProblem[] {
  const problems: TypeProblem[] = [];
  const visit = (node: import('typescript').Node): void => {
    if (ts.isClassLike(node) && node.name) {
      const instance = checker.getTypeAtLocation(node);
      const className = node.name.text;
      for (const member of node.members) {
        if (
          !ts.isPropertyDeclaration(member) ||
          !ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword) ||
          !ts.isIdentifier(member.name) ||
          member.name.text !== 'tasks' ||
          !member.initializer ||
          !ts.isArrayLiteralExpression(member.initializer)
        )
          continue;
        member.initializer.elements.forEach((entry, i) => {
          if (!ts.isCallExpression(entry) || entry.arguments.length < 2) return;
          const named = entry.arguments[1] as import('typescript').Expression;
          if (!ts.isStringLiteralLike(named)) return;
          if (instance.getProperty(named.text)) return;
          const methods = instance
            .getProperties()
            .map((p) => p.name)
            .filter((n) => !n.startsWith('#'));
          const near = methods.find((m) => editDistance(m, named.text) <= 2);
          problems.push({
            ...where(source, named.getStart(source)),
            message: `${className}.tasks[${i}]: ${className} has no method '${named.text}'${near ? ` (did you mean '${near}'?)` : ''}`,
          });
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return problems;
}

/** Levenshtein distance, for a near name worth suggesting. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(
        (row[j] as number) + 1,
        (next[j - 1] as number) + 1,
        (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    row = next;
  }
  return row[b.length] as number;
}

export function formatProblem(problem: TypeProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

export const SCENARIO_DIR = dirname(fileURLToPath(import.meta.url));
