/**
 * draft-hardt-oauth-aauth-protocol §Person Token Endpoint, §Person Token Structure, §Directed
 * Identifiers, §Agent-Person Binding, §Person Token Exposure, §Covered Components.
 */
import { generateKeyPair } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseTokenList } from '@aauth-ts/core';
import { decide, deferred, personToken, refusal, requirementOf } from '../../support/current/flows.js';
import { CURRENT, decode, thumbprint, type CurrentWorld } from '../../support/current/world.js';

const CROCKFORD = /^[0-9A-HJKMNP-TV-Z]{8,}$/;
/** The one list both servers read (§Signature Algorithms; Accept-Signature-Alg). */
const ACCEPT_SIGNATURE_ALGS = (JSON.parse(readFileSync(fileURLToPath(new URL('../../../packages/core/data/accept-signature-algs.json', import.meta.url)), 'utf8')) as { algorithms: string[] }).algorithms;

export function personTokenCases(world: () => CurrentWorld): void {
  describe('person token: issuance', () => {
    it('the first person token of an unbound agent waits for the person: 202, Location, Retry-After, no-store, AAuth-Requirement interaction', async () => {
      const w = world();
      const agent = w.provider.agent();
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id });
      expect(res.status).toBe(202);
      expect(res.headers.get('location')?.startsWith(`${w.issuer}/protocol/aauth/ps/pending/`)).toBe(true);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.headers.get('cache-control')).toContain('no-store');
      const req = requirementOf(res);
      expect(req.requirement).toBe('interaction');
      expect(req.url).toBe(w.metadata.interaction_endpoint);
      expect(req.code?.replace(/-/g, '')).toMatch(CROCKFORD);
      expect(res.json.status).toBe('pending');
    });

    it('after the person approves, the poll returns an aa-person+jwt as §Person Token Structure lists it', async () => {
      const w = world();
      const agent = w.provider.agent();
      const first = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id });
      const final = await decide(w, agent, deferred(first));
      expect(final.status).toBe(200);
      expect(typeof final.json.expires_in).toBe('number');
      const { payload } = await w.verifyIssued(final.json.person_token as string, 'aa-person+jwt');
      expect(payload).toEqual(expect.objectContaining({ iss: w.issuer, dwk: 'aauth-person.json', aud: w.r1.id }));
      expect(typeof payload.sub).toBe('string');
      expect(typeof payload.jti).toBe('string');
      expect((payload.cnf as { jwk: Record<string, unknown> }).jwk).toEqual(expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', x: agent.key.publicJwk.x }));
      expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(3600);
      expect(payload).not.toHaveProperty('scope');
      expect(payload).not.toHaveProperty('mission_s256');
    });

    it('once the person approved a resource for the agent, the next person token for it is issued at once with the same directed sub', async () => {
      const w = world();
      const agent = w.provider.agent();
      const one = await personToken(w, agent, w.r1);
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id });
      expect(res.status).toBe(200);
      const again = decode(res.json.person_token as string).payload;
      expect(again.sub).toBe(one.sub);
      expect(again.jti).not.toBe(one.jti);
    });

    it('the first person token for another resource asks the person again, and its sub differs (directed per resource)', async () => {
      const w = world();
      const agent = w.provider.agent();
      const one = await personToken(w, agent, w.r1);
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r2.id });
      expect(res.status).toBe(202);
      const final = await decide(w, agent, deferred(res));
      expect(final.status).toBe(200);
      expect(decode(final.json.person_token as string).payload.sub).not.toBe(one.sub);
    });

    it('the directed sub does not vary with the agent: two agents of the same person get the same sub at a resource', async () => {
      const w = world();
      const a = await personToken(w, w.provider.agent(), w.r1);
      const b = await personToken(w, w.provider.agent(), w.r1);
      expect(b.sub).toBe(a.sub);
    });
  });

  describe('person token: agent-person binding', () => {
    it('another person cannot claim an agent bound to the person (the login is refused for it)', async () => {
      const w = world();
      const agent = w.provider.agent();
      await personToken(w, agent, w.r1);
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r2.id });
      const pending = deferred(res);
      const attempt = await w.interact(pending.code, 'approve', { user: CURRENT.otherPerson });
      expect(attempt.decided).toBe(false);
      const poll = await w.poll(pending.location, agent);
      expect(poll.status).toBe(202);
    });

    it('a person who denies: the poll answers 403 denied and no binding is made', async () => {
      const w = world();
      const agent = w.provider.agent();
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id });
      const final = await decide(w, agent, deferred(res), 'deny');
      expect(refusal(final)).toEqual({ status: 403, error: 'denied' });
      expect(final.headers.get('content-type')).toContain('application/problem+json');
      // Unbound still: the other person may take it.
      const again = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id });
      const approved = await decide(w, agent, deferred(again), 'approve', CURRENT.otherPerson);
      expect(approved.status).toBe(200);
    });
  });

  describe('person token: refusals', () => {
    it('no "resource" → 400 invalid_request as problem+json with a detail', async () => {
      const w = world();
      const res = await w.post(w.metadata.person_token_endpoint, w.provider.agent(), {});
      expect(refusal(res)).toEqual({ status: 400, error: 'invalid_request' });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(typeof res.json.detail).toBe('string');
    });

    it('a "resource" that is not a server identifier (a path) → 400 invalid_request', async () => {
      const w = world();
      const res = await w.post(w.metadata.person_token_endpoint, w.provider.agent(), { resource: `${w.r1.id}/api` });
      expect(refusal(res)).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('an unsigned request → 401', async () => {
      const w = world();
      const res = await w.post(w.metadata.person_token_endpoint, w.provider.agent(), { resource: w.r1.id }, { unsigned: true });
      expect(res.status).toBe(401);
    });

    it('a body changed after signing (content-digest no longer matches) → 401', async () => {
      const w = world();
      const res = await w.post(w.metadata.person_token_endpoint, w.provider.agent(), { resource: w.r1.id }, { tamperedBody: JSON.stringify({ resource: w.r2.id }) });
      expect(res.status).toBe(401);
      expect(res.headers.get('signature-error')).not.toBeNull();
    });

    it('a bodied request whose signature leaves out content-digest and content-type → 401', async () => {
      const w = world();
      const res = await w.post(w.metadata.person_token_endpoint, w.provider.agent(), { resource: w.r1.id }, { componentPolicy: 'draft-minimum' });
      expect(res.status).toBe(401);
    });

    it('an agent token signed by the wrong key → 401 with Signature-Error', async () => {
      const w = world();
      const agent = w.provider.agent();
      const forged = w.provider.agentToken(agent, { key: agent.key });
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }, { signer: w.signer(agent, { token: forged }) });
      expect(res.status).toBe(401);
      expect(res.headers.get('signature-error')).toMatch(/invalid_jwt|invalid_signature|unknown_key/);
    });

    it('an expired agent token → 401 expired_jwt', async () => {
      const w = world();
      const agent = w.provider.agent();
      const old = Math.floor(Date.now() / 1000) - 7200;
      const token = w.provider.agentToken(agent, { claims: { iat: old, exp: old + 600 } });
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }, { signer: w.signer(agent, { token }) });
      expect(res.status).toBe(401);
      expect(res.headers.get('signature-error')).toContain('expired_jwt');
    });

    it('a 2026-03 agent+jwt is not an aa-agent+jwt → 401', async () => {
      const w = world();
      const agent = w.provider.agent();
      const token = w.provider.agentToken(agent, { header: { typ: 'agent+jwt' } });
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }, { signer: w.signer(agent, { token }) });
      expect(res.status).toBe(401);
    });

    it('an agent token whose cnf.jwk is not the signing key → 401', async () => {
      const w = world();
      const agent = w.provider.agent();
      const other = w.provider.agent();
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }, { signer: w.signer(agent, { key: other.key }) });
      expect(res.status).toBe(401);
    });

    it('an agent provider the realm does not know → 403 access_denied, before anything is fetched from it', async () => {
      const w = world();
      const agent = w.unregisteredProvider.agent();
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }, { signer: { key: agent.key.signing, signatureKey: { scheme: 'jwt', jwt: w.unregisteredProvider.agentToken(agent) } } });
      expect(refusal(res)).toEqual({ status: 403, error: 'access_denied' });
    });

    it('a signing key whose alg (PS256) no RFC 9421 algorithm of this server matches → 401 unsupported_algorithm, Accept-Signature-Alg listing exactly the shared list (packages/core/data/accept-signature-algs.json)', async () => {
      const w = world();
      const agent = w.provider.agent();
      // A JWS algorithm, but not a request-signing one here; refused before the signature is looked at.
      // Made off the event loop: the in-process server keeps serving meanwhile.
      const rsa = (await promisify(generateKeyPair)('rsa', { modulusLength: 2048 })).publicKey.export({ format: 'jwk' });
      const token = w.provider.agentToken(agent, { claims: { cnf: { jwk: { kty: 'RSA', n: rsa.n, e: rsa.e, alg: 'PS256' } } } });
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }, { signer: w.signer(agent, { token }) });
      expect(res.status).toBe(401);
      expect(res.headers.get('signature-error')).toContain('unsupported_algorithm');
      expect(parseTokenList(res.headers.get('accept-signature-alg') ?? '')).toEqual(ACCEPT_SIGNATURE_ALGS);
    });

    it('an agent token whose cnf.jwk has no alg → 401 unsupported_algorithm with Accept-Signature-Alg (§Verification step 6: the key the jwt scheme resolved to, "alg" absent)', async () => {
      const w = world();
      const agent = w.provider.agent();
      const { alg: _alg, ...withoutAlg } = agent.key.publicJwk;
      const token = w.provider.agentToken(agent, { claims: { cnf: { jwk: withoutAlg } } });
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }, { signer: w.signer(agent, { token }) });
      expect(res.status).toBe(401);
      expect(res.headers.get('signature-error')).toContain('unsupported_algorithm');
      expect(parseTokenList(res.headers.get('accept-signature-alg') ?? '')).toEqual(ACCEPT_SIGNATURE_ALGS);
    });

    it('an agent token whose cnf.jwk alg disagrees with its kty/crv (ES256 on an Ed25519 key) → 401 invalid_key (§Verification step 6)', async () => {
      const w = world();
      const agent = w.provider.agent();
      const token = w.provider.agentToken(agent, { claims: { cnf: { jwk: { ...agent.key.publicJwk, alg: 'ES256' } } } });
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }, { signer: w.signer(agent, { token }) });
      expect(res.status).toBe(401);
      expect(res.headers.get('signature-error')).toContain('invalid_key');
    });

    it('an agent token whose ps is this Person Server\'s own issuer (a realm path, trusted by its exact string) is accepted', async () => {
      const w = world();
      const agent = w.provider.agent();
      const token = w.provider.agentToken(agent, { claims: { ps: w.issuer } });
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }, { signer: w.signer(agent, { token }) });
      expect(res.status).toBe(202);
    });

    it('an agent token whose ps is another URL with a path → 401 (only this server\'s own issuer is trusted with a path)', async () => {
      const w = world();
      const agent = w.provider.agent();
      const token = w.provider.agentToken(agent, { claims: { ps: `${w.issuer}-other` } });
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }, { signer: w.signer(agent, { token }) });
      expect(res.status).toBe(401);
    });

    it('a sub-agent signing its own person token request → 400 invalid_agent_token (§Single-Level Depth)', async () => {
      const w = world();
      const sub = w.provider.subAgent(w.provider.agent());
      const res = await w.post(w.metadata.person_token_endpoint, sub, { resource: w.r1.id });
      expect(refusal(res)).toEqual({ status: 400, error: 'invalid_agent_token' });
    });

    it('a "mission_s256" naming no mission of this agent → 400 invalid_request', async () => {
      const w = world();
      const res = await w.post(w.metadata.person_token_endpoint, w.provider.agent(), { resource: w.r1.id, mission_s256: 'A'.repeat(43) });
      expect(refusal(res)).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('a body string past its cap (1024 characters; tokens 16 KiB) → 400 invalid_request', async () => {
      const w = world();
      const agent = w.provider.agent();
      expect(refusal(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id, tenant: 't'.repeat(1025) }))).toEqual({ status: 400, error: 'invalid_request' });
      expect(refusal(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id, subagent_token: 'x'.repeat(16 * 1024 + 1) }))).toEqual({ status: 400, error: 'invalid_request' });
      expect(refusal(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id, capabilities: ['c'.repeat(1025)] }))).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('the person must be asked but the agent declared capabilities without "interaction" → 403 user_unreachable', async () => {
      const w = world();
      const res = await w.post(w.metadata.person_token_endpoint, w.provider.agent(), { resource: w.r1.id, capabilities: ['payment'] });
      expect(refusal(res)).toEqual({ status: 403, error: 'user_unreachable' });
    });

    it('the issued cnf.jwk binds the requesting key: the thumbprint matches the agent key', async () => {
      const w = world();
      const agent = w.provider.agent();
      const issued = await personToken(w, agent, w.r1);
      expect(thumbprint((issued.payload.cnf as { jwk: typeof agent.key.publicJwk }).jwk)).toBe(thumbprint(agent.key.publicJwk));
    });
  });
}
