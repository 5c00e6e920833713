/**
 * Interop with `@hellocoop/httpsig` (see `hellocoop-httpsig.ts`): runs the matrix and asserts the
 * whole table against `hellocoop-httpsig.expected.ts`, so a change in either direction shows.
 */
import { EXPECTED } from './hellocoop-httpsig.expected.js';
import { httpsigVersion, matrixTable, runMatrix } from './hellocoop-httpsig.js';
import { cellKey, formatText, recordTable } from './table.js';

describe('@hellocoop/httpsig interop matrix', () => {
  test('every cell as expected', async () => {
    const cells = await runMatrix();
    const table = matrixTable(httpsigVersion(), cells, (c) => EXPECTED[cellKey(c)]?.why);
    recordTable(table);
    process.stdout.write(`\n${formatText(table)}\n\n`);
    const actual = Object.fromEntries(cells.map((c) => [cellKey(c), c.ok ? 'green' : c.reason]));
    const wanted = Object.fromEntries(cells.map((c) => {
      const red = EXPECTED[cellKey(c)];
      return [cellKey(c), red === undefined ? 'green' : expect.stringMatching(red.reason)];
    }));
    expect(actual).toEqual(wanted);
    expect(Object.keys(EXPECTED).filter((k) => !(k in actual))).toEqual([]);
  });
});
