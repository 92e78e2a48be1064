/**
 * A test that fails in the UI: a user's mistake keeps its code (2) and message; a bug of the
 * engine is reported as one (70, with its stack in the log), not dressed as a user error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerfError } from '../../src/errors.js';
import { call } from '../helpers/fiml.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { startUi } from './helpers.js';

let service: TestServer;
beforeAll(async () => {
  service = await startHttpServer((_req, res) => res.end('ok'));
});
afterAll(async () => {
  await service?.close();
});

async function failedTest(observeThrows: Error) {
  const ui = await startUi(service.url, {
    observe: () => {
      throw observeThrows;
    },
  });
  try {
    const started = await call(ui.base, '/api/start', { method: 'POST', body: { users: 1 } });
    expect(started.status).toBe(202);
    await ui.session.settled();
    const state = await call(ui.base, '/api/state');
    return { state: state.body, log: ui.log.join('\n'), exitCode: ui.session.exitCode };
  } finally {
    await ui.server.close();
  }
}

describe('a UI test that fails', () => {
  it('on a bug: exit code 70, and the log has the stack', async () => {
    const { state, log, exitCode } = await failedTest(new TypeError('engine bug'));
    expect(state.run.ended.code).toBe(70);
    expect(exitCode).toBe(70);
    expect(log).toMatch(/internal error, please report it/);
    expect(log).toMatch(/TypeError: engine bug\n\s+at /);
  }, 30_000);

  it("on the user's mistake: exit code 2 and its message, no stack", async () => {
    const { state, log, exitCode } = await failedTest(
      new PerfError('FP_ERR_INVALID_FLAG', 'a flag the user must fix'),
    );
    expect(state.run.ended.code).toBe(2);
    expect(exitCode).toBe(2);
    expect(state.run.error).toBe('a flag the user must fix');
    expect(log).not.toMatch(/\n\s+at /);
  }, 30_000);
});
