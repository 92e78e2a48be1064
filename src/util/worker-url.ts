import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The URL to start a worker thread on the module `name` beside `base` (an `import.meta.url`):
 * the built .js file as it is, or, running from source through tsx, a small module that registers
 * tsx first (workers do not inherit the loader).
 */
export function workerUrl(name: string, base: string): URL {
  const ext = extname(fileURLToPath(base));
  const url = new URL(`./${name}${ext}`, base);
  if (ext === '.js') return url;
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(url.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}
