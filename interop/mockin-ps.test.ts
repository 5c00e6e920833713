/**
 * npm `@hellocoop/mockin` 2.x as the Person Server (see `mockin-ps.ts`), started on loopback by
 * this file: core's current-profile tokens and signatures at its endpoints, and its tokens
 * through core's verifiers. Each path's steps are asserted against `mockin-ps.expected.ts`
 * (green stays green, a known red stays red for its known reason, nothing after it runs).
 */
import { startMockin, type Mockin } from './mockin.js';
import { EXPECTED, EXPECTED_CASES, expectedSteps } from './mockin-ps.expected.js';
import { CORE_STEPS, DRAFT_CASES, SUBAGENT_STEPS, coreWithMockin, pathRows, runDraftCase, startCoreParties, subAgentWithMockin, type CoreParties, type Step } from './mockin-ps.js';
import { formatText, recordTable, type Row } from './table.js';

/** The steps as the expectations state them: green, or the red step's reason; nothing after a red one. */

const why = (path: string) => (step: Step): string | undefined => EXPECTED[path]?.[step.step]?.why;

describe('@hellocoop/mockin as the Person Server, against core (current profile)', () => {
  let mockin: Mockin;
  let parties: CoreParties;
  const rows: Row[] = [];
  const caseRows: Row[] = [];

  beforeAll(async () => {
    mockin = await startMockin();
    parties = await startCoreParties();
  });

  afterAll(async () => {
    if (rows.length > 0) {
      const table = { id: '8-mockin-1-core', title: `npm @hellocoop/mockin@${mockin.version} as Person Server ↔ core (current profile)`, profile: 'aauth-current' as const, head: ['library', 'path', 'step'], rows };
      recordTable(table);
      process.stdout.write(`\n${formatText(table)}\n\n`);
    }
    if (caseRows.length > 0) {
      const table = { id: '8-mockin-2-draft-rules', title: `npm @hellocoop/mockin@${mockin.version}: answers the draft pins (a PS refusing what it must)`, profile: 'aauth-current' as const, head: ['library', 'request', 'draft section', 'as the draft says'], rows: caseRows };
      recordTable(table);
      process.stdout.write(`\n${formatText(table)}\n\n`);
    }
    await Promise.all([mockin?.close(), parties?.close()]);
  });

  const label = (): string => `mockin ${mockin.version}`;

  test.each([
    ['core ↔ mockin', false],
    ['core ↔ mockin, + person_token_jti', true],
  ] as const)('%s', async (path, bridge) => {
    const got = await coreWithMockin(mockin, parties, bridge);
    rows.push(...pathRows(label(), path, CORE_STEPS, got, why(path)));
    expect(got).toEqual(expectedSteps(path, CORE_STEPS));
  });

  test('core ↔ mockin, sub-agent', async () => {
    const path = 'core ↔ mockin, sub-agent';
    const got = await subAgentWithMockin(mockin, parties);
    rows.push(...pathRows(label(), path, SUBAGENT_STEPS, got, why(path)));
    expect(got).toEqual(expectedSteps(path, SUBAGENT_STEPS));
  });

  test.each(DRAFT_CASES.map((c) => [c.name, c] as const))('draft rule: %s', async (_name, draftCase) => {
    const got = await runDraftCase(mockin, parties, draftCase);
    const red = EXPECTED_CASES[draftCase.name];
    caseRows.push({
      keys: [label(), draftCase.name, draftCase.section, 'as the draft says'], outcome: got.ok ? 'green' : 'RED',
      ...(got.ok ? {} : { reason: got.reason ?? '' }), ...(got.ok || red === undefined ? {} : { why: red.why }),
    });
    expect(got).toEqual(red === undefined ? { step: draftCase.name, ok: true } : { step: draftCase.name, ok: false, reason: expect.stringMatching(red.reason) });
  });
});
