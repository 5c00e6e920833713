/**
 * Our agent and our resource with npm `@hellocoop/mockin` 2.x as the Person Server, surfaces 2-4
 * of the current profile (see `mockin-flow.ts`), started on loopback by this file. Each path's
 * steps are asserted against `mockin-ps.expected.ts`.
 */
import { startMockin, type Mockin } from './mockin.js';
import { EXPECTED, expectedSteps } from './mockin-ps.expected.js';
import { FLOW_STEPS, coreStepsWithMockin, ourAgentWithMockin, startOurParties, type OurParties } from './mockin-flow.js';
import { pathRows, type Step } from './mockin-ps.js';
import { formatText, recordTable, type Row } from './table.js';

describe('@hellocoop/mockin as the Person Server, with our agent and our resource (current profile)', () => {
  let mockin: Mockin;
  let parties: OurParties;
  const rows: Row[] = [];

  beforeAll(async () => {
    mockin = await startMockin();
    parties = await startOurParties(mockin);
  });

  afterAll(async () => {
    if (rows.length > 0) {
      const table = { id: '8-mockin-3-our-agent-and-resource', profile: 'aauth-current' as const, title: `npm @hellocoop/mockin@${mockin.version} as Person Server ↔ our agent and our resource (surfaces 2-4)`, head: ['library', 'path', 'step'], rows };
      recordTable(table);
      process.stdout.write(`\n${formatText(table)}\n\n`);
    }
    await Promise.all([mockin?.close(), parties?.close()]);
  });

  test.each([
    ['our agent ↔ our resource + mockin', ourAgentWithMockin],
    ['core steps ↔ our resource + mockin, + person_token_jti', (p: OurParties) => coreStepsWithMockin(mockin, p)],
  ] as const)('%s', async (path, run) => {
    const got: Step[] = await run(parties);
    rows.push(...pathRows(`mockin ${mockin.version}`, path, FLOW_STEPS, got, (s) => EXPECTED[path]?.[s.step]?.why));
    expect(got).toEqual(expectedSteps(path, FLOW_STEPS));
  });
});
