/**
 * The interop tables: one row per cell (what was tried, its exact outcome, and for a red cell the
 * verifier's one-line reason and the deviation behind it), printed as fixed-width text, or as a
 * Markdown pivot (one row per peer and path, one column per request or step) for the READMEs.
 * A test run writes each table to `INTEROP_REPORT` (a directory) when that is set, so
 * `interop/run.mjs` can print them all, in either form, once jest is done.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Outcome = 'green' | 'RED' | 'not reached';

export interface Row {
  /** One value per `Table.head` column; the last one becomes the Markdown column. */
  readonly keys: readonly string[];
  readonly outcome: Outcome;
  /** The one-line reason, for a cell that is not green. */
  readonly reason?: string;
  /** The deviation behind a known red cell, in one line. */
  readonly why?: string;
}

export interface Table {
  /** Sorts the tables in the report (e.g. `1-python-aauth-0.1.1`). */
  readonly id: string;
  readonly title: string;
  readonly head: readonly string[];
  readonly rows: readonly Row[];
  /** The wire profile the table is about; the 2026-03 profile when absent. */
  readonly profile?: 'aauth-current';
}

/** A signature matrix cell: who signs → who verifies, with which scheme, for which request. */
export interface MatrixCell {
  readonly direction: string;
  readonly scheme: string;
  readonly request: string;
  readonly ok: boolean;
  /** The verifier's (or signer's) one-line reason, for a red cell. */
  readonly reason?: string;
}

/** A red cell a matrix expects: the message it must show, and the deviation behind it in one line. */
export interface KnownRed {
  readonly reason: RegExp;
  readonly why: string;
}

/** A cell's key in a matrix's expectations: `direction scheme request`. */
export const cellKey = (c: Pick<MatrixCell, 'direction' | 'scheme' | 'request'>): string => `${c.direction} ${c.scheme} ${c.request}`;

/** A matrix's rows, one per cell; `why` names the deviation behind a known red cell. */
export function matrixRows<C extends MatrixCell>(library: string, cells: readonly C[], why: (cell: C) => string | undefined): Row[] {
  return cells.map((c) => {
    const deviation = c.ok ? undefined : why(c);
    return { keys: [library, c.direction, c.scheme, c.request], outcome: c.ok ? 'green' : 'RED', ...(c.ok ? {} : { reason: c.reason ?? '' }), ...(deviation === undefined ? {} : { why: deviation }) };
  });
}

const explained = (row: Row): string => (row.outcome === 'green' ? '' : `${row.reason ?? ''}${row.why === undefined ? '' : ` [${row.why}]`}`);

/** The table as fixed-width text, one line per cell. */
export function formatText(table: Table): string {
  const head = [...table.head, 'result', 'reason'];
  const rows = table.rows.map((r) => [...r.keys, r.outcome, explained(r)]);
  const last = head.length - 1;
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === last ? 0 : (r[i] as string).length))));
  const line = (r: readonly string[]): string => r.map((v, i) => (i === last ? v : v.padEnd(widths[i] as number))).join('  ').trimEnd();
  return [table.title, line(head), line(head.map((h, i) => '-'.repeat(i === last ? h.length : widths[i] as number))), ...rows.map(line)].join('\n');
}

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|');

/**
 * The table as Markdown: the last key column spread into columns, each cell `green`, `RED n` or
 * `not reached`, with the numbered reasons (shared by equal cells) listed under the table.
 */
export function formatMarkdown(table: Table): string {
  const columns = [...new Set(table.rows.map((r) => r.keys[r.keys.length - 1] as string))];
  const lines = new Map<string, Map<string, Row>>();
  for (const row of table.rows) {
    const line = row.keys.slice(0, -1).join('\u0000');
    if (!lines.has(line)) lines.set(line, new Map());
    lines.get(line)?.set(row.keys[row.keys.length - 1] as string, row);
  }
  const notes: string[] = [];
  const note = (row: Row): number => {
    const text = explained(row);
    const at = notes.indexOf(text);
    if (at >= 0) return at + 1;
    notes.push(text);
    return notes.length;
  };
  const cell = (row: Row | undefined): string => {
    if (row === undefined) return '';
    if (row.outcome === 'green') return 'green';
    return row.outcome === 'RED' ? `**RED** ${note(row)}` : `*${row.outcome}*`;
  };
  const head = [...table.head.slice(0, -1), ...columns];
  const out = [`**${table.title}**`, '', `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const [key, cells] of lines) out.push(`| ${[...key.split('\u0000'), ...columns.map((c) => cell(cells.get(c)))].map(escapeCell).join(' | ')} |`);
  if (notes.length > 0) out.push('', ...notes.map((n, i) => `${i + 1}. ${escapeCell(n)}`));
  return out.join('\n');
}

/** Keeps the table for `interop/run.mjs` when the run asks for a report. */
export function recordTable(table: Table): void {
  const dir = process.env.INTEROP_REPORT;
  if (dir === undefined || dir === '') return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${table.id}.json`), JSON.stringify({ id: table.id, profile: table.profile ?? 'aauth-2026-03', text: formatText(table), markdown: formatMarkdown(table) }));
}
