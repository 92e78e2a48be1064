/** Naming where a frozen thread is stuck, from the inspector's paused frames. */
import { describe, expect, it } from 'vitest';
import {
  describeFrames,
  type ParsedScript,
  type PausedFrame,
  stuckReason,
} from '../../src/load/stuck-frame.js';

const ours = 'file:///opt/fiml-perf/dist/';
const frame = (
  functionName: string,
  scriptId: string,
  lineNumber: number,
  className?: string,
): PausedFrame => ({
  callFrameId: `${scriptId}:${lineNumber}`,
  functionName,
  location: { scriptId, lineNumber, columnNumber: 4 },
  ...(className ? { this: { className } } : {}),
});

describe('describeFrames', () => {
  const scripts = new Map<string, ParsedScript>([
    ['1', { url: 'node:internal/timers' }],
    ['2', { url: `${ours}load/scenario-runner.js` }],
    ['3', { url: `file://${process.cwd()}/scenarios/spin.ts?tsx-namespace=123` }],
  ]);

  it("names the innermost frame of the user's code, its class, and the file as written", () => {
    const frames = [frame('spin', '3', 9, 'Spinner'), frame('runTask', '2', 40), frame('', '1', 1)];
    expect(describeFrames(frames, scripts, ours).where).toBe(
      'Spinner.spin (scenarios/spin.ts:10:5)',
    );
  });

  it("skips Node's frames and fiml-perf's own to reach the user's", () => {
    const frames = [frame('parse', '1', 3), frame('helper', '3', 2), frame('runTask', '2', 40)];
    expect(describeFrames(frames, scripts, ours).where).toBe('helper (scenarios/spin.ts:3:5)');
  });

  it('maps the position through an inline source map', () => {
    // One generated line; its column 10 comes from line 18, column 4 of the source ("AAiBI").
    const map = { version: 3, sources: ['spin.ts'], names: [], mappings: 'UAiBI' };
    const withMap = new Map<string, ParsedScript>([
      ...scripts,
      [
        '4',
        {
          url: `file://${process.cwd()}/spin.ts`,
          sourceMapURL: `data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`,
        },
      ],
    ]);
    const f = {
      ...frame('spin', '4', 0, 'Spinner'),
      location: { scriptId: '4', lineNumber: 0, columnNumber: 10 },
    };
    expect(describeFrames([f], withMap, ours).where).toBe('Spinner.spin (spin.ts:18:5)');
  });

  it('falls back to the innermost frame when none is the user’s', () => {
    expect(describeFrames([frame('', '1', 1)], scripts, ours).where).toBe(
      '(anonymous) (node:internal/timers:2:5)',
    );
  });
});

it('stuckReason names the task when it is known', () => {
  const stuck = { where: 'Spinner.spin (spin.ts:18:5)', blockedMs: 5040 };
  expect(stuckReason(stuck, { userClass: 'Spinner', task: 'spin' })).toBe(
    'task Spinner.spin did not yield for 5s (--max-block): stuck in Spinner.spin (spin.ts:18:5)',
  );
  expect(stuckReason(stuck, undefined)).toMatch(/^the scenario's code did not yield for 5s/);
});
