import { esc } from './escape.js';

// Numbers are made numbers before they are written: nothing but digits reaches the page from them.
/** A number with thousands separators and a fixed number of decimals. */
export const num = (n: number, digits = 0): string =>
  Number(n).toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });

/** A time in ms with the digits a reader needs: `0.42`, `12.3`, `612`. */
export const ms = (n: number): string => (n >= 100 ? num(n) : n >= 10 ? num(n, 1) : num(n, 2));

/** A fraction as a percentage. */
export const pct = (x: number, digits = 2): string => `${(Number(x) * 100).toFixed(digits)}%`;

/** A table cell with a sort value, so sorting is by number and not by the formatted text. */
export const td = (text: string, value?: number | string, cls = ''): string =>
  `<td${cls ? ` class="${cls}"` : ''}${value === undefined ? '' : ` data-v="${esc(value)}"`}>${text}</td>`;

/** A column header; a sortable one holds the button the page's script sorts with. */
export const th = (label: string, sortable: boolean, cls = ''): string =>
  `<th scope="col"${cls ? ` class="${cls}"` : ''}${sortable ? ' aria-sort="none"><button type="button">' : '>'}${esc(label)}${sortable ? '</button>' : ''}</th>`;
