/**
 * Interop with PyPI `aauth` (see `python-aauth.ts`): runs the matrix for every pinned release and
 * asserts the whole table against `python-aauth.expected.ts` (green cells stay green, known red
 * cells stay red for their known reason), so a change in either direction shows. Without the
 * virtual environments it skips and says so; on CI, where `.ci/run` creates them, it fails instead.
 */
import { EXPECTED } from './python-aauth.expected.js';
import { matrixTable, pinnedVersion, pythonReleases, runRelease, type Cell } from './python-aauth.js';
import { cellKey, formatText, recordTable } from './table.js';

const releases = pythonReleases();
const missing = releases.filter((r) => !r.installed);
const skip = missing.length > 0 && process.env.CI !== 'true';
if (skip) {
  process.stderr.write(`\nPyPI aauth interop SKIPPED: no virtual environment for ${missing.map(pinnedVersion).join(', ')}; `
    + 'run `bash interop/python/setup.sh` (needs python3 with venv, and PyPI).\n\n');
}

const known = (release: string) => (cell: Cell) => EXPECTED[release]?.[cellKey(cell)];

(skip ? describe.skip : describe)('PyPI aauth interop matrix', () => {
  const tables: string[] = [];
  afterAll(() => {
    if (tables.length > 0) process.stdout.write(`\n${tables.join('\n\n')}\n\n`);
  });

  test.each(releases.map((r) => [pinnedVersion(r), r] as const))('%s: every cell as expected', async (_name, release) => {
    expect(release.installed).toBe(true);
    const expected = EXPECTED[release.name];
    expect(expected).toBeDefined();
    const cells = await runRelease(release);
    const table = matrixTable(release, cells, (c) => known(release.name)(c)?.why);
    recordTable(table);
    tables.push(formatText(table));
    const actual = Object.fromEntries(cells.map((c) => [cellKey(c), c.ok ? 'green' : c.reason]));
    const wanted = Object.fromEntries(cells.map((c) => {
      const red = known(release.name)(c);
      return [cellKey(c), red === undefined ? 'green' : expect.stringMatching(red.reason)];
    }));
    expect(actual).toEqual(wanted);
    // Every known red cell is still a cell of the matrix.
    expect(Object.keys(expected ?? {}).filter((k) => !(k in actual))).toEqual([]);
  }, 120_000);
});
