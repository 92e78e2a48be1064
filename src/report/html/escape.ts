const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
/** Text made safe for HTML content and attribute values. */
export const esc = (text: unknown): string =>
  String(text ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
