import { decideGrant, parseRealm, parseScope } from '@aauth-ts/auth-server';

const AGENT = 'https://agent.example';
const AUTONOMOUS = 'https://bot.example';
const RES = 'https://res.example';
const OTHER = 'https://other.example';

const realm = parseRealm({
  realm: 'p',
  attributes: { 'aauth.consentScopes': '["res:delete"]' },
  clientScopes: [
    { name: 'res:read', attributes: { 'aauth.resource': RES } },
    { name: 'res:delete', attributes: { 'aauth.resource': RES } },
    { name: 'other:read', attributes: { 'aauth.resource': OTHER } },
    { name: 'self:profile' },
  ],
  clients: [
    { clientId: AGENT, consentRequired: true, attributes: { 'aauth.agent': 'true', 'aauth.chainScopes': '["res:read"]' }, optionalClientScopes: ['res:read', 'res:delete', 'other:read', 'self:profile'] },
    { clientId: AUTONOMOUS, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['res:read', 'res:delete'] },
    { clientId: 'https://disabled.example', enabled: false, attributes: { 'aauth.agent': 'true' } },
    { clientId: RES, attributes: { 'aauth.resource': 'true' } },
    { clientId: OTHER, attributes: { 'aauth.resource': 'true' } },
  ],
});

const ask = (over: Partial<Parameters<typeof decideGrant>[1]>) => decideGrant(realm, { agentId: AGENT, resourceId: RES, scopes: ['res:read'], knownUser: undefined, ...over });

describe('decideGrant', () => {
  it('consentRequired agent without a known user → consent', () => {
    expect(ask({})).toEqual({ outcome: 'grant', scopes: ['res:read'], consent: true });
  });
  it('a user carried from another agent: no consent within the agent\'s aauth.chainScopes', () => {
    expect(ask({ knownUser: 'u1' })).toEqual({ outcome: 'grant', scopes: ['res:read'], consent: false });
  });
  it('a user carried from another agent: consent beyond aauth.chainScopes, or without any', () => {
    expect(ask({ knownUser: 'u1', resourceId: OTHER, scopes: ['other:read'] })).toMatchObject({ outcome: 'grant', consent: true });
    expect(ask({ knownUser: 'u1', agentId: AUTONOMOUS })).toMatchObject({ outcome: 'grant', consent: true });
  });
  it('autonomous agent → no consent', () => {
    expect(ask({ agentId: AUTONOMOUS })).toEqual({ outcome: 'grant', scopes: ['res:read'], consent: false });
  });
  it('a realm consent scope → consent even for an autonomous agent, and even with a known user', () => {
    expect(ask({ agentId: AUTONOMOUS, scopes: ['res:delete'] })).toMatchObject({ consent: true });
    expect(ask({ scopes: ['res:delete'], knownUser: 'u1' })).toMatchObject({ consent: true });
  });
  it('refresh never asks again', () => {
    expect(ask({ scopes: ['res:delete'], refresh: true, knownUser: 'u1' })).toMatchObject({ outcome: 'grant', consent: false });
  });
  it('unknown or disabled agent → access_denied', () => {
    expect(ask({ agentId: 'https://nobody.example' })).toMatchObject({ outcome: 'refuse', code: 'access_denied' });
    expect(ask({ agentId: 'https://disabled.example' })).toMatchObject({ outcome: 'refuse', code: 'access_denied' });
  });
  it('unknown resource → access_denied', () => {
    expect(ask({ resourceId: 'https://nowhere.example' })).toMatchObject({ outcome: 'refuse', code: 'access_denied' });
  });
  it('scope not in the agent optional scopes → invalid_scope', () => {
    expect(ask({ agentId: AUTONOMOUS, scopes: ['other:read'], resourceId: OTHER })).toMatchObject({ outcome: 'refuse', code: 'invalid_scope' });
  });
  it('scope offered by another resource → invalid_scope', () => {
    expect(ask({ scopes: ['other:read'] })).toMatchObject({ outcome: 'refuse', code: 'invalid_scope' });
  });
  it('self-access: an unbound scope is fine, a resource scope is not', () => {
    expect(ask({ resourceId: undefined, scopes: ['self:profile'] })).toMatchObject({ outcome: 'grant' });
    expect(ask({ resourceId: undefined, scopes: ['res:read'] })).toMatchObject({ outcome: 'refuse', code: 'invalid_scope' });
  });
  it('no scope and no user → invalid_scope; no scope with consent → grant (the user gives sub)', () => {
    expect(ask({ agentId: AUTONOMOUS, scopes: [] })).toMatchObject({ outcome: 'refuse', code: 'invalid_scope' });
    expect(ask({ scopes: [] })).toMatchObject({ outcome: 'grant', consent: true });
  });
  it('parseScope splits on spaces and drops duplicates', () => {
    expect(parseScope(' a  b a ')).toEqual(['a', 'b']);
    expect(parseScope(undefined)).toEqual([]);
  });
});
