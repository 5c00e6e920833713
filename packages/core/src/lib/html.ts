/**
 * Text into HTML. Values from requests, tokens and realms are attacker-controlled (a `purpose`, a
 * callback URL), so every character that can end a text run or an attribute value, quoted or not,
 * becomes a numeric character reference (HTML Living Standard §13.1.4).
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=/]/g, (c) => `&#${c.charCodeAt(0)};`);
}
