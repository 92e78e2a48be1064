/** 2026-11-27T14-05-09Z: a timestamp that is a portable folder name and sorts in time order. */
export function folderStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
}
