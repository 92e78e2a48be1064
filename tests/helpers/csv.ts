/** Parses CSV as RFC 4180 writes it (quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** The header each file of a Locust fixture starts with (tests/fixtures/locust/). */
export function locustHeaders(fixture: string): Map<string, string> {
  const headers = new Map<string, string>();
  const lines = fixture.split('\n');
  lines.forEach((line, i) => {
    const file = /^== out_(\w+)\.csv$/.exec(line)?.[1];
    // Python's csv module ends lines with CRLF; the header is the same either way.
    if (file) headers.set(file, (lines[i + 1] as string).replace(/\r$/, ''));
  });
  return headers;
}
