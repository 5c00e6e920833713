/**
 * Turn the agent library's hop events into hops a person can follow: who did what, to whom, and
 * which token went along. The sentences avoid the draft's vocabulary where plain words will do.
 */
import { AAUTH_CURRENT, PROFILE, parseSignatureKeys } from '@aauth-ts/core';
import type { AAuthEvent } from '@aauth-ts/agent';
import { decodeJwt } from './decode-jwt.js';
import { describeCurrent, isCurrentEvent } from './hop-from-current-event.js';
import { hopToken, type Hop, type HopRecorder, type HopToken } from './hop.js';

/** Friendly names of the parties, by identifier (agents, resources, the auth server's issuer). */
export type PartyNames = Readonly<Record<string, string>>;

function nameOf(parties: PartyNames, url: string): string {
  if (parties[url]) return parties[url];
  try {
    const origin = new URL(url).origin;
    for (const [id, name] of Object.entries(parties)) if (id === origin || url.startsWith(`${id}/`)) return name;
    return origin;
  } catch {
    return url;
  }
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The JWT a signed request carries in `Signature-Key: sig=jwt;jwt="…"` (an agent token, say). */
function carriedJwt(headers: Readonly<Record<string, string>>): string | undefined {
  const name = PROFILE.headers.signatureKey.toLowerCase();
  const value = Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  if (value === undefined) return undefined;
  try {
    const key = parseSignatureKeys(value).find((k) => k.scheme === 'jwt');
    return key?.scheme === 'jwt' ? key.jwt : undefined;
  } catch {
    return undefined;
  }
}

type HopInput = Omit<Hop, 'seq' | 'at' | 'actor' | 'depth'>;

/** The names the auth server goes by in hops (see `partyNames`): it shows its own consent page. */
const SERVERS = new Set(['auth server', 'Person Server']);

/** Current-profile token types, as the profile names them. */
const TYP = { person: AAUTH_CURRENT.typ.person, auth: AAUTH_CURRENT.typ.auth };

function carriedLabel(typ: string | undefined, me: string, to: string): string {
  if (typ === 'auth+jwt' || typ === TYP.auth) return `auth token for the ${to}`;
  if (typ === TYP.person) return `person token for the ${to}`;
  return `${me}'s agent token (its identity)`;
}

/**
 * Returns a sink for `AAuthClient`'s `onEvent` that records hops for `actorName` (the calling
 * agent's friendly name). Repeated `202` polls are folded into one hop. `holder`: the calling
 * agent's identifier, recorded on current-profile token hops (those tokens name no agent).
 */
export function hopSink(recorder: HopRecorder, actorName: string, parties: PartyNames, holder?: string): (event: AAuthEvent) => void {
  // Per token request: the first `pending` and the first `202` poll tell the story; repeats do not.
  let pendingSeen = false;
  let pollsSeen = 0;
  // Current profile: a 401 to a request carrying a person token asks for an auth token, which the
  // hops of the resource token that follow show; the bare 401 would only repeat them.
  let sentPersonToken = false;
  return (event) => {
    if (event.type === 'request.signed') {
      const carried = event.token ?? carriedJwt(event.headers);
      sentPersonToken = carried !== undefined && decodeJwt(carried).header.typ === TYP.person;
    }
    if (event.type === 'response' && event.status === 401 && sentPersonToken) return;
    if (event.type === 'token.request' || event.type === 'ps.request' || event.type === 'request.signed') {
      pendingSeen = false;
      pollsSeen = 0;
    }
    if (event.type === 'pending') {
      if (pendingSeen) return;
      pendingSeen = true;
    }
    const hop = describe(event, actorName, parties, pollsSeen, holder);
    if (event.type === 'poll') pollsSeen += 1;
    if (hop) recorder.add(hop);
  };
}

export function describe(event: AAuthEvent, me: string, parties: PartyNames, pollsSeen = 0, holder?: string): HopInput | undefined {
  if (isCurrentEvent(event)) return describeCurrent(event, me, (url) => nameOf(parties, url), holder);
  switch (event.type) {
    case 'request.signed': {
      const to = nameOf(parties, event.url);
      const carried = event.token ?? carriedJwt(event.headers);
      const token = carried ? decodeJwt(carried) : undefined;
      const typ = token ? str(token.header.typ) : undefined;
      const tokens: HopToken[] = carried ? [hopToken(carriedLabel(typ, me, to), carried)] : [];
      if (event.attempt >= 2 && typ === TYP.person) {
        return {
          kind: 'retry', method: event.method, url: event.url, tokens,
          title: `${me} → ${to}: ${event.method} ${pathOf(event.url)} again, with the person token`,
          explain: `The ${me} repeats the call, signed with the same key, now carrying the person token. The ${to} checks that it comes from a Person Server it trusts (iss), is for it (aud) and is bound to the key that signed the request (cnf).`,
        };
      }
      if (event.attempt >= 2) {
        return {
          kind: 'retry', method: event.method, url: event.url, tokens,
          title: `${me} → ${to}: ${event.method} ${pathOf(event.url)} again, with the auth token`,
          explain: typ === TYP.auth
            ? `The ${me} repeats the call, signed with the same key, now carrying the auth token. The ${to} checks that its Person Server issued it (iss, ps), that it is for it (aud), and that it is bound to the key that signed the request (cnf).`
            : `The ${me} repeats the call, signed with the same key, now carrying the auth token. The ${to} checks that the token is for it (aud), names this caller (agent), and is bound to the key that signed the request (cnf).`,
        };
      }
      const how = event.scheme === 'jwt' && (typ === 'auth+jwt' || typ === TYP.auth)
        ? 'with an auth token it already holds'
        : event.scheme === 'jwt' ? 'and attaches its agent token, which says which agent it is' : event.scheme === 'jwks_uri' ? 'naming its own published key (jwks_uri), which says which agent it is' : 'without saying who it is (pseudonymous key)';
      return {
        kind: 'request', method: event.method, url: event.url, tokens,
        title: `${me} → ${to}: ${event.method} ${pathOf(event.url)}`,
        explain: `The ${me} calls the ${to}. It signs the HTTP request with its private key (HTTP Message Signatures) ${how}.`,
      };
    }
    case 'challenge': {
      const from = nameOf(parties, event.url);
      const authServer = nameOf(parties, str(event.claims.aud));
      return {
        kind: 'challenge', status: 401, url: event.url,
        tokens: [hopToken(`resource token from the ${from}`, event.resourceToken)],
        title: `${from} → ${me}: 401, auth token required${event.claims.scope ? ` (scope ${event.claims.scope})` : ''}`,
        explain: `The ${from} will not answer without an auth token. Its challenge names the ${authServer} and carries a resource token it signed: it names the caller (agent = ${str(event.claims.agent)}), the key the caller signed with (agent_jkt) and the scope needed, so only this caller can redeem it.`,
      };
    }
    case 'token.request': {
      const chained = event.mode === 'chained';
      const tokens: HopToken[] = [];
      const body = event.body as Readonly<Record<string, string | undefined>>;
      if (body.resource_token) tokens.push(hopToken('resource token (being redeemed)', body.resource_token));
      if (body.upstream_token) tokens.push(hopToken('upstream token (the auth token the caller received)', body.upstream_token));
      if (body.auth_token) tokens.push(hopToken('expired auth token (refresh)', body.auth_token));
      return {
        kind: 'token-request', method: 'POST', url: event.url, tokens,
        title: `${me} → auth server: ${chained ? 'exchange resource token + upstream token' : event.mode === 'refresh' ? 'refresh the auth token' : 'exchange the resource token'}`,
        explain: chained
          ? `The ${me} is now itself the caller. It sends the new resource token together with the auth token it was called with (upstream_token), signed with its own key. The upstream token tells the auth server which user this work is for.`
          : `The ${me} takes the resource token to the auth server named in the challenge, in a request signed with the same key.`,
      };
    }
    case 'token.response':
      if (event.status < 400) return undefined;
      return {
        kind: 'error', status: event.status, url: event.url,
        title: `auth server → ${me}: ${event.status}`,
        explain: `The auth server refused: ${str(event.body)}`,
      };
    case 'pending':
      return {
        kind: 'pending', status: 202, url: event.location,
        title: `${nameOf(parties, event.location)} → ${me}: 202, the user must approve first`,
        explain: `The ${me} may not act for the user without consent. The ${nameOf(parties, event.location)} answers 202 with a code and a URL to poll; the token comes only after the user approves.`,
      };
    case 'interaction': {
      const at = nameOf(parties, event.url);
      return {
        kind: 'interaction', url: event.url, interaction: { url: event.url, code: event.code },
        title: `${me} → user: please approve at the ${at} (code ${event.code})`,
        explain: SERVERS.has(at)
          ? `The user opens the ${at}'s consent page, logs in and approves. The ${me} keeps polling meanwhile.`
          : `The ${at} cannot finish without the user: its Person Server wants the user's approval for the ${at}'s own call. It answered 202 with its own code and page (interaction chaining); that page sends the user on to the Person Server's consent page. The ${me} polls the ${at} meanwhile.`,
      };
    }
    case 'poll':
      if (event.status === 202 && pollsSeen > 0) return undefined;
      return {
        kind: 'poll', status: event.status, url: event.location,
        title: `${me} → ${nameOf(parties, event.location)}: poll (${event.status === 202 ? 'still waiting' : event.status === 200 ? 'approved' : `HTTP ${event.status}`})`,
        explain: event.status === 202 ? `The ${me} polls the pending URL with signed requests until the user decides.` : `The decision is in.`,
      };
    case 'token.issued': {
      const c = event.claims;
      const user = c.sub === undefined ? undefined : parties[c.sub] ? `${parties[c.sub]} (sub ${c.sub})` : `sub ${c.sub}`;
      return {
        kind: 'token', url: event.authServer,
        tokens: [hopToken(`auth token for the ${nameOf(parties, c.aud)}`, event.authToken)],
        title: `auth server → ${me}: auth token (agent ${nameOf(parties, c.agent)}, aud ${nameOf(parties, c.aud)}, ${user ? `for ${user}` : 'no user'})`,
        explain: c.sub
          ? `The auth server issues an auth token: the ${nameOf(parties, c.agent)} (agent) may call the ${nameOf(parties, c.aud)} (aud) on behalf of user ${user} with scope "${c.scope ?? ''}". It is bound to the agent's key (cnf) and useless to anyone else.`
          : `The auth server issues an auth token: the ${nameOf(parties, c.agent)} (agent) may call the ${nameOf(parties, c.aud)} (aud) with scope "${c.scope ?? ''}". There is no sub: no user is involved.`,
      };
    }
    case 'token.cached':
      return {
        kind: 'token', tokens: [hopToken('cached auth token', event.authToken)],
        title: `${me} reuses its auth token for the ${nameOf(parties, event.resource)}`,
        explain: 'The token is still valid, so no new exchange is needed.',
      };
    case 'retry':
    case 'resign':
      return undefined;
    case 'response':
      // A 401 that carried a challenge is shown by the `challenge` hop, a 202 by the `pending` hop.
      if ((event.status === 401 && event.attempt === 1) || event.status === 202) return undefined;
      return {
        kind: 'response', status: event.status, method: event.method, url: event.url,
        title: `${nameOf(parties, event.url)} → ${me}: ${event.status}`,
        explain: event.status < 300 ? `The ${nameOf(parties, event.url)} accepted the call and answered.` : `The ${nameOf(parties, event.url)} answered ${event.status}.`,
      };
  }
}
