import { createHash } from 'node:crypto';
import {
  type CpuProfile,
  classify,
  type FrameClass,
  indexProfile,
  type ProfileNode,
} from './cpu-profile.js';
import type { SourceMapper } from './source-map.js';

/** The classes in the order the legend shows them, with their colours (Okabe-Ito). */
const CLASSES: ReadonlyArray<readonly [FrameClass, string, string]> = [
  ['app', 'your code', '#e69f00'],
  ['dependency', 'dependencies', '#56b4e9'],
  ['node', 'Node core', '#009e73'],
  ['native', 'V8 builtins and natives', '#cc79a7'],
  ['gc', 'garbage collection', '#d55e00'],
  ['program', 'V8 (program)', '#999999'],
];

/**
 * A frame of the merged call tree: [name, place, class index, self µs, total µs, children], and
 * in a differential graph its colour and its change in share of the time (percentage points).
 */
type Frame = [string, string, number, number, number, Frame[], string?, number?];

/** A frame's key in a path: what folded stacks show of it. */
const frameKey = (f: Frame) => (f[1] ? `${f[0]} ${f[1]}` : f[0]);

/**
 * The call tree with the time of each path, idle left out; frames under `minShare` of the
 * total are dropped (their time stays in their parent's total) so a long profile stays small.
 */
function callTree(profile: CpuProfile, mapper: SourceMapper | undefined, minShare: number): Frame {
  const { byId, selfByNode: self } = indexProfile(profile);
  const classIndex = new Map(CLASSES.map(([c], i) => [c, i]));
  const build = (node: ProfileNode): Frame | undefined => {
    const cls = classify(node.callFrame);
    if (cls === 'idle') return undefined;
    const children = (node.children ?? [])
      .map((id) => byId.get(id))
      .filter((n): n is ProfileNode => n !== undefined)
      .map(build)
      .filter((f): f is Frame => f !== undefined);
    const own = self.get(node.id) ?? 0;
    const total = own + children.reduce((n, c) => n + c[4], 0);
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const place = url
      ? (() => {
          const p = mapper?.place(url, lineNumber + 1, columnNumber);
          return p ? `${p.file}:${p.line}` : `${url}:${lineNumber + 1}`;
        })()
      : '';
    return [functionName || '(anonymous)', place, classIndex.get(cls) ?? 5, own, total, children];
  };
  const root = profile.nodes[0];
  const tree: Frame = root ? (build(root) ?? ['all', '', 5, 0, 0, []]) : ['all', '', 5, 0, 0, []];
  tree[0] = 'all';
  const floor = tree[4] * minShare;
  const prune = (frame: Frame): void => {
    frame[5] = frame[5].filter((c) => c[4] >= floor);
    frame[5].sort((a, b) => b[4] - a[4]);
    for (const c of frame[5]) prune(c);
  };
  prune(tree);
  return tree;
}

/** Every path of the call tree (frames from below the root, `;`-joined) with its total µs. */
export function pathTotals(profile: CpuProfile, mapper?: SourceMapper): Map<string, number> {
  const totals = new Map<string, number>();
  const walk = (frame: Frame, path: string) => {
    for (const child of frame[5]) {
      const key = path ? `${path};${frameKey(child)}` : frameKey(child);
      totals.set(key, (totals.get(key) ?? 0) + child[4]);
      walk(child, key);
    }
  };
  const tree = callTree(profile, mapper, 0);
  totals.set('', tree[4]);
  walk(tree, '');
  return totals;
}

/** Red where a path's share of the time grew, blue where it shrank, grey where it held. */
function tint(change: number): string {
  const k = Math.min(1, Math.abs(change) / 5);
  if (Math.abs(change) < 0.05) return '#dddddd';
  const fade = Math.round(235 * (1 - k));
  return change > 0 ? `rgb(235,${fade},${fade})` : `rgb(${fade},${fade},235)`;
}

/** Colours `tree` by each path's change in share against `base` (normalised by total time). */
function colourByChange(tree: Frame, base: Map<string, number>): void {
  const baseTotal = base.get('') || 1;
  const total = tree[4] || 1;
  const walk = (frame: Frame, path: string) => {
    for (const child of frame[5]) {
      const key = path ? `${path};${frameKey(child)}` : frameKey(child);
      const change = (child[4] / total - (base.get(key) ?? 0) / baseTotal) * 100;
      child[6] = tint(change);
      child[7] = Math.round(change * 100) / 100;
      walk(child, key);
    }
  };
  tree[6] = '#dddddd';
  tree[7] = 0;
  walk(tree, '');
}

const PAGE_SCRIPT = `(() => {
  const data = JSON.parse(document.getElementById('flame-data').textContent);
  const colours = data.classes.map((c) => c[2]);
  const box = document.getElementById('flame');
  const search = document.getElementById('search');
  const matched = document.getElementById('matched');
  const crumb = document.getElementById('zoomed');
  const ROW = 18;
  let zoom = [data.tree];
  const ms = (us) => (us / 1000).toFixed(us >= 100000 ? 0 : 1);
  function draw() {
    const focus = zoom[zoom.length - 1];
    const total = focus[4] || 1;
    const needle = search.value.trim().toLowerCase();
    const frames = [];
    let hit = 0;
    let depthMax = 0;
    // Ancestors of the zoomed frame span the width, above it.
    zoom.slice(0, -1).forEach((f, depth) => frames.push([f, 0, 1, depth, false]));
    const walk = (f, x, depth, inMatch) => {
      const width = f[4] / total;
      if (width < 0.001) return;
      const text = (f[0] + ' ' + f[1]).toLowerCase();
      const match = needle !== '' && text.includes(needle);
      if (match && !inMatch) hit += f[4];
      frames.push([f, x, width, depth, match]);
      depthMax = Math.max(depthMax, depth);
      let cx = x;
      for (const c of f[5]) {
        walk(c, cx, depth + 1, inMatch || match);
        cx += c[4] / total;
      }
    };
    walk(focus, 0, zoom.length - 1, false);
    box.replaceChildren();
    box.style.height = (depthMax + 1) * ROW + 'px';
    for (const [f, x, width, depth, match] of frames) {
      const el = document.createElement('div');
      el.className = 'frame' + (match ? ' match' : '');
      el.style.left = x * 100 + '%';
      el.style.width = width * 100 + '%';
      el.style.top = depth * ROW + 'px';
      el.style.background = match ? '#1d232a' : f[6] || colours[f[2]];
      el.textContent = f[0];
      el.title = f[0] + (f[1] ? ' ' + f[1] : '') + '\\n' + ms(f[4]) + ' ms total (' + ((f[4] / data.tree[4]) * 100).toFixed(2) + '%), ' + ms(f[3]) + ' ms self' + (f[7] === undefined ? '' : ', ' + (f[7] > 0 ? '+' : '') + f[7] + ' points of the time against the base');
      el.addEventListener('click', () => {
        const at = zoom.indexOf(f);
        if (at >= 0) zoom = zoom.slice(0, at + 1);
        else {
          const path = [];
          const find = (node, trail) => {
            if (node === f) return path.push(...trail, node), true;
            return node[5].some((c) => find(c, [...trail, node]));
          };
          find(data.tree, []);
          zoom = path;
        }
        draw();
      });
      box.append(el);
    }
    matched.textContent = needle ? 'matched ' + ((hit / data.tree[4]) * 100).toFixed(2) + '% of the time' : '';
    crumb.textContent = zoom.length > 1 ? 'zoomed to ' + focus[0] + ' (' + ((focus[4] / data.tree[4]) * 100).toFixed(1) + '%)' : '';
  }
  search.addEventListener('input', draw);
  document.getElementById('reset').addEventListener('click', () => { zoom = [data.tree]; search.value = ''; draw(); });
  draw();
  document.documentElement.dataset.ready = 'true';
})();`;

const STYLE = `
:root { font: 13px/1.4 system-ui, sans-serif; color: #1d232a; }
body { margin: 0 auto; max-width: 1400px; padding: 0 16px 40px; }
h1 { font-size: 1.3rem; margin: 16px 0 4px; }
.sub { color: #5b6570; }
.controls { display: flex; gap: 12px; align-items: center; margin: 10px 0; flex-wrap: wrap; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; margin: 8px 0; }
.legend span::before { content: ''; display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; background: var(--c); }
#flame { position: relative; width: 100%; }
.frame { position: absolute; height: 17px; box-sizing: border-box; border: 1px solid #fff; border-radius: 2px; padding: 0 4px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font: 11px/15px ui-monospace, monospace; cursor: pointer; color: #111; }
.frame:hover { filter: brightness(1.12); }
.frame.match { color: #fff; font-weight: 600; }
input { font: inherit; padding: 4px 8px; }
button { font: inherit; padding: 4px 10px; }
`;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON inside a <script> element: nothing in it can close the element. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/**
 * The profile as one self-contained HTML page: a flame graph (root at the top) coloured by class
 * of code, with search (and the share it matched) and click to zoom. Offline: no request leaves
 * the page, and only its own script may run.
 */
export function renderFlamegraph(
  profile: CpuProfile,
  options: {
    readonly title: string;
    readonly subtitle: string;
    readonly mapper?: SourceMapper;
    /** A differential graph: this profile's paths coloured by their change against `base`. */
    readonly base?: CpuProfile;
  },
): string {
  const tree = callTree(profile, options.mapper, 0.0005);
  if (options.base) colourByChange(tree, pathTotals(options.base, options.mapper));
  const hash = createHash('sha256').update(PAGE_SCRIPT).digest('base64');
  const legend = options.base
    ? `<span style="--c:rgb(235,0,0)">grew (share of the time, against the base)</span><span style="--c:rgb(0,0,235)">shrank</span><span style="--c:#dddddd">held</span>`
    : CLASSES.map(([, label, colour]) => `<span style="--c:${colour}">${esc(label)}</span>`).join(
        '',
      );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'">
<title>${esc(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(options.title)}</h1>
<p class="sub">${esc(options.subtitle)}</p>
<div class="legend">${legend}</div>
<div class="controls"><label>Search <input id="search" type="search" placeholder="function or file"></label><button id="reset" type="button">Reset zoom</button><span id="matched" class="sub"></span><span id="zoomed" class="sub"></span></div>
<p class="sub">Width is time on the stack (idle left out); click a frame to zoom into it, hover for its times. Root at the top.</p>
<div id="flame"></div>
<script id="flame-data" type="application/json">${scriptJson({ classes: CLASSES, tree })}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
