/**
 * The current profile against the newest pinned PyPI `aauth` (see `python-aauth-current.ts`):
 * tokens and `sig=jwt` signatures both ways, every cell asserted against
 * `python-aauth-current.expected.ts`. Without the virtual environment it skips and says so; on
 * CI, where `.ci/run` creates it, it fails instead.
 */
import { EXPECTED_SIGNATURES, EXPECTED_TOKENS } from './python-aauth-current.expected.js';
import { runCurrent, tokenRows, type SignatureCell, type TokenCell } from './python-aauth-current.js';
import { newestRelease, pinnedVersion } from './python-aauth.js';
import { cellKey, formatText, matrixRows, recordTable, type KnownRed } from './table.js';

const release = newestRelease();
const skip = !release.installed && process.env.CI !== 'true';
if (skip) {
  process.stderr.write(`\nPyPI aauth current-profile interop SKIPPED: no virtual environment for ${pinnedVersion(release)}; `
    + 'run `bash interop/python/setup.sh` (needs python3 with venv, and PyPI).\n\n');
}

/** `actual` and `wanted` keyed alike: green, or the red cell's reason matched by its known pattern. */
function compare<C extends TokenCell | SignatureCell>(cells: readonly C[], expected: Readonly<Record<string, KnownRed>>): { actual: object; wanted: object } {
  const actual = Object.fromEntries(cells.map((c) => [cellKey(c), c.ok ? 'green' : c.reason]));
  const wanted = Object.fromEntries(cells.map((c) => {
    const red = expected[cellKey(c)];
    return [cellKey(c), red === undefined ? 'green' : expect.stringMatching(red.reason)];
  }));
  return { actual, wanted };
}

(skip ? describe.skip : describe)(`PyPI ${pinnedVersion(release)} ↔ core, current profile`, () => {
  test('tokens and signatures: every cell as expected', async () => {
    expect(release.installed).toBe(true);
    const { version, tokens, signatures } = await runCurrent(release);
    const library = `aauth ${version}`;
    const tokenTable = { id: '6-python-current-1-tokens', title: `PyPI aauth==${version}: current-profile tokens (aa-*+jwt)`, profile: 'aauth-current' as const, head: ['library', 'direction', 'token'], rows: tokenRows(library, tokens, (c) => EXPECTED_TOKENS[cellKey(c)]?.why) };
    const signatureTable = { id: '6-python-current-2-signatures', title: `PyPI aauth==${version}: current-profile signatures (sig=jwt)`, profile: 'aauth-current' as const, head: ['library', 'direction', 'token carried', 'request'], rows: matrixRows(library, signatures, (c) => EXPECTED_SIGNATURES[cellKey(c)]?.why) };
    for (const table of [tokenTable, signatureTable]) recordTable(table);
    process.stdout.write(`\n${formatText(tokenTable)}\n\n${formatText(signatureTable)}\n\n`);
    const t = compare(tokens, EXPECTED_TOKENS);
    expect(t.actual).toEqual(t.wanted);
    const s = compare(signatures, EXPECTED_SIGNATURES);
    expect(s.actual).toEqual(s.wanted);
    // Every known red cell is still a cell of the matrix.
    expect([...Object.keys(EXPECTED_TOKENS).filter((k) => !(k in t.actual)), ...Object.keys(EXPECTED_SIGNATURES).filter((k) => !(k in s.actual))]).toEqual([]);
  }, 120_000);
});
