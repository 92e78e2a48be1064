/** A FIML instance built in-process for component benchmarks: instant providers, no listener. */
import { buildApp, type Fiml } from '../fiml/index.js';

export async function fiml(options: { warm?: boolean } = {}): Promise<Fiml> {
  const app = await buildApp({ seed: 42, latencyScale: 0, cache: { warm: options.warm ?? true } });
  await app.ready();
  return app.fiml;
}
