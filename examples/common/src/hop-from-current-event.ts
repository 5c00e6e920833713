/**
 * Hops for the agent library's current-profile events (draft-hardt-oauth-aauth-protocol): the
 * resource's `AAuth-Requirement`, the person-token hop at the Person Server (which PS, `aud`, the
 * directed `sub`, `mission_s256`), the resource token, and the auth token the Person Server issues.
 */
import { AAUTH_CURRENT, type RequirementValue } from '@aauth-ts/core';
import type { AAuthEvent } from '@aauth-ts/agent';
import { decodeJwt } from './decode-jwt.js';
import { hopToken, type Hop, type HopToken } from './hop.js';

type HopInput = Omit<Hop, 'seq' | 'at' | 'actor' | 'depth'>;
type CurrentEvent = Extract<AAuthEvent, { type: 'requirement' | 'person-token.issued' | 'resource-token.verified' | 'auth-token.issued' | 'ps.request' | 'ps.response' }>;

/** Requirement values, checked against the profile's list by their type. */
const R: Readonly<Record<'personToken' | 'authToken', RequirementValue>> = { personToken: 'person-token', authToken: 'auth-token' };
const Q = AAUTH_CURRENT.personTokenRequest;
const T = AAUTH_CURRENT.tokenRequest;

export function isCurrentEvent(event: AAuthEvent): event is CurrentEvent {
  return ['requirement', 'person-token.issued', 'resource-token.verified', 'auth-token.issued', 'ps.request', 'ps.response'].includes(event.type);
}

/** The claim, shortened for a title: directed subjects and digests are long. */
function short(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > 14 ? `${s.slice(0, 12)}…` : s;
}

export function describeCurrent(event: CurrentEvent, me: string, name: (url: string) => string, holder: string | undefined): HopInput | undefined {
  switch (event.type) {
    case 'requirement': {
      // `auth-token` comes with a resource token: the `resource-token.verified` hop shows it.
      if (event.requirement === R.authToken) return undefined;
      const from = name(event.url);
      return {
        kind: 'challenge', status: 401, url: event.url,
        title: `${from} → ${me}: 401, ${event.requirement === R.personToken ? 'a person token is required' : `requirement=${event.requirement}`}`,
        explain: event.requirement === R.personToken
          ? `The ${from} serves people, not anonymous agents: it answers AAuth-Requirement: requirement=person-token. The ${me} must first get a person token from its Person Server, saying which person it acts for.`
          : `The ${from} answered AAuth-Requirement: requirement=${event.requirement}.`,
      };
    }
    case 'ps.request': {
      const body = event.body;
      const tokens: HopToken[] = [];
      for (const [field, label] of [[T.resourceToken, 'resource token (being redeemed)'], [Q.upstreamToken, 'upstream token (the auth token the caller presented)']] as const) {
        const raw = body[field];
        if (typeof raw === 'string') tokens.push(hopToken(label, raw));
      }
      const ps = name(event.url);
      const chained = typeof body[Q.upstreamToken] === 'string';
      const asked = body[Q.resource];
      const resource = typeof asked === 'string' ? name(asked) : undefined;
      const what = resource !== undefined ? `a person token for the ${resource}` : tokens.length > 0 ? 'an auth token for the resource token' : 'a decision';
      return {
        kind: 'token-request', method: 'POST', url: event.url, tokens,
        title: `${me} → ${ps}: ask for ${what}${chained ? ' (with the upstream token)' : ''}`,
        explain: chained
          ? `The ${me} is now itself the caller. It asks the Person Server named in the auth token it was called with (its ps), sending that token as upstream_token, signed with its own key: the upstream token says which person this work is for.`
          : `The ${me} asks its Person Server, in a request signed with its key and carrying its agent token. The Person Server knows which person this agent acts for.`,
      };
    }
    case 'ps.response':
      if (event.status < 400) return undefined;
      return {
        kind: 'error', status: event.status, url: event.url,
        title: `${name(event.url)} → ${me}: ${event.status}`,
        explain: `The Person Server refused: ${JSON.stringify(event.body)}`,
      };
    case 'person-token.issued': {
      const { claims } = decodeJwt(event.personToken);
      const ps = name(event.personServer);
      const mission = claims.mission_s256 === undefined ? 'no mission' : `mission_s256 ${short(claims.mission_s256)}`;
      return {
        kind: 'person-token', url: event.personServer,
        tokens: [hopToken(`person token for the ${name(event.resource)}`, event.personToken)],
        title: `${ps} → ${me}: person token (PS ${event.personServer}, aud ${name(String(claims.aud))}, directed sub ${short(claims.sub)}, ${mission})`,
        explain: `The Person Server (iss ${event.personServer}) vouches for the person the ${me} acts for, to the ${name(String(claims.aud))} only (aud). The sub is directed: a pseudonym of that person made for this resource alone, so two resources cannot match their users. The token is bound to the ${me}'s key (cnf).`,
      };
    }
    case 'resource-token.verified': {
      const c = event.claims;
      const from = name(event.resource);
      return {
        kind: 'challenge', status: 401, url: event.resource,
        tokens: [hopToken(`resource token from the ${from}`, event.resourceToken)],
        title: `${from} → ${me}: 401, auth token required${c.scope ? ` (scope ${c.scope})` : ''}`,
        explain: `The ${from} accepted the person token but wants authorization: its resource token names the Person Server (aud ${name(String(c.aud))}), the person token it saw (presented_jti), the caller's key (agent_jkt) and the scope, so only this caller can redeem it.`,
      };
    }
    case 'auth-token.issued': {
      const c = event.claims;
      const aud = name(String(c.aud));
      return {
        kind: 'token', url: event.authServer, ...(holder === undefined ? {} : { holder }),
        tokens: [hopToken(`auth token for the ${aud}`, event.authToken)],
        title: `${name(event.authServer)} → ${me}: auth token (aud ${aud}, for the person with directed sub ${short(c.sub)})`,
        explain: `The Person Server issues an auth token: whoever holds the ${me}'s key (cnf) may call the ${aud} (aud) for the person (ps ${String(c.ps)}, sub ${String(c.sub)}) with scope "${c.scope ?? ''}"${c.mission_s256 ? ` under mission ${String(c.mission_s256)}` : ''}. It names no agent: the key binds it.`,
      };
    }
  }
}
