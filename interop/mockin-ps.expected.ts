/**
 * The expected red steps of the mockin paths, per path and step: the message the step must show
 * and the deviation behind it. Every step not listed is green; steps after a red one do not run.
 */
import type { KnownRed } from './table.js';

const PERSON_TOKEN_JTI: KnownRed = {
  reason: /resource_token missing person_token_jti/,
  why: 'it names the person token by person_token_jti; the draft\'s resource token carries presented_jti (§Resource Token Structure)',
};

export const EXPECTED: Readonly<Record<string, Readonly<Record<string, KnownRed>>>> = {
  'core ↔ mockin': { 'our resource token → auth token': PERSON_TOKEN_JTI },
  'core ↔ mockin, + person_token_jti': {},
  'core ↔ mockin, sub-agent': {},
  'our agent ↔ our resource + mockin': { 'mockin → auth token': PERSON_TOKEN_JTI },
  'core steps ↔ our resource + mockin, + person_token_jti': {},
};

/** The draft rules (`DRAFT_CASES`) mockin answers otherwise, by case name. */
export const EXPECTED_CASES: Readonly<Record<string, KnownRed>> = {
  'resource token naming a person token the PS never issued': {
    reason: /^400 invalid_resource_token: person_token_jti .* names no person token this PS issued/,
    why: 'it answers invalid_resource_token; the draft names this case unknown_person_token (§Token Endpoint Error Codes)',
  },
  'agent token without "dwk"': {
    reason: /^200: served the request$/,
    why: 'a token without dwk is looked up at aauth-agent.json anyway; the draft refuses a dwk other than aauth-agent.json',
  },
  'person token request naming a mission the PS does not hold': {
    reason: /^200: served the request$/,
    why: 'it has no mission store and stamps any mission_s256 on the token; the draft has the PS verify the mission exists, is active and is this agent\'s',
  },
};

/** A path's steps as expected: green, or the known red step's reason; nothing after a red one. */
export function expectedSteps(path: string, names: readonly string[]): object[] {
  const out: object[] = [];
  for (const step of names) {
    const red = EXPECTED[path]?.[step];
    out.push(red === undefined ? { step, ok: true } : { step, ok: false, reason: expect.stringMatching(red.reason) });
    if (red !== undefined) break;
  }
  return out;
}
