/**
 * The current profile's shared vectors (`test/vectors/current-profile.json`, also read by the Java
 * provider's tests): computed from published keys (RFC 8037 A.1, RFC 9421 B.1.4), reproduced byte
 * for byte and verified here. The drafts themselves publish only placeholder examples.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AAUTH_CURRENT, RequirementError, createAaAgentToken, createAaAuthToken, createAaPersonToken, createAaResourceToken, importSigningKey, parseRequirement,
  parseSignatureError, verifyAaAgentToken, verifyAaAuthToken, verifyAaPersonToken, verifyAaResourceToken, verifyMission, verifyRequest, encodeMission,
  type IssuerKeySource, type MissionBlob, type PrivateJwk, type PublicJwk, type SignableRequest,
} from '@aauth-ts/core';

interface TokenVector { token: string; header: Record<string, unknown>; claims: Record<string, unknown> }
interface Vectors {
  keys: { issuer: PrivateJwk; agent: PrivateJwk; agentThumbprint: string };
  now: number;
  mission: { blob: MissionBlob; bytesUtf8: string; mission: string; s256: string };
  tokens: { agent: TokenVector; person: TokenVector; resource: TokenVector; auth: TokenVector };
  personTokenRequest: { method: string; url: string; headers: Record<string, string>; body: string; signatureBase: string };
  requirement: { header: string; parsed: unknown }[];
  requirementRefused: { header: string; failure: string }[];
  signatureError: { header: string; error: string; requiredInput?: string[] }[];
}

const V = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'vectors', 'current-profile.json'), 'utf8')) as Vectors;
const { note: _n1, ...issuerJwk } = V.keys.issuer as PrivateJwk & { note?: string };
const { note: _n2, ...agentJwk } = V.keys.agent as PrivateJwk & { note?: string };
const agent = importSigningKey({ ...agentJwk, alg: 'Ed25519' });
const signer = (kid: string) => importSigningKey({ ...issuerJwk, kid, alg: 'Ed25519' });
const keys: IssuerKeySource = { getKey: async () => ({ ...signer('x').publicJwk, alg: 'Ed25519' } as PublicJwk) };
const now = V.now;

describe('current-profile vectors', () => {
  it('the agent key thumbprint', () => {
    expect(agent.thumbprint).toBe(V.keys.agentThumbprint);
  });

  it('mission: the blob bytes encode to mission, their SHA-256 to s256', () => {
    expect(encodeMission(Buffer.from(V.mission.bytesUtf8, 'utf8'))).toMatchObject({ mission: V.mission.mission, s256: V.mission.s256 });
    expect(verifyMission(V.mission.mission, V.mission.s256).blob).toEqual(V.mission.blob);
  });

  it('aa-agent+jwt reproduces byte for byte and verifies', async () => {
    const c = V.tokens.agent.claims;
    expect(await createAaAgentToken(signer('ap-key-1'), { iss: c.iss as string, sub: c.sub as string, cnfJwk: agent.publicJwk, ps: c.ps as string, now, lifetimeSeconds: 3600, jti: c.jti as string })).toBe(V.tokens.agent.token);
    await expect(verifyAaAgentToken(V.tokens.agent.token, { keys, now, requestKey: agent.publicJwk })).resolves.toEqual(c);
    expect(V.tokens.agent.header).toEqual({ alg: 'Ed25519', typ: AAUTH_CURRENT.typ.agent, kid: 'ap-key-1' });
  });

  it('aa-person+jwt reproduces byte for byte and verifies', async () => {
    const c = V.tokens.person.claims;
    expect(await createAaPersonToken(signer('ps-key-1'), { iss: c.iss as string, aud: c.aud as string, sub: c.sub as string, cnfJwk: agent.publicJwk, missionS256: V.mission.s256, now, jti: c.jti as string })).toBe(V.tokens.person.token);
    await expect(verifyAaPersonToken(V.tokens.person.token, { keys, now, audience: c.aud as string, requestKey: agent.publicJwk })).resolves.toEqual(c);
  });

  it('aa-resource+jwt reproduces byte for byte and verifies', async () => {
    const c = V.tokens.resource.claims;
    expect(await createAaResourceToken(signer('rs-key-1'), { iss: c.iss as string, aud: c.aud as string, ps: c.ps as string, sub: c.sub as string, presentedJti: c.presented_jti as string, agentJkt: agent.thumbprint, scope: c.scope as string, missionS256: V.mission.s256, now, jti: c.jti as string })).toBe(V.tokens.resource.token);
    await expect(verifyAaResourceToken(V.tokens.resource.token, { keys, now, audience: c.aud as string, agentJkt: agent.thumbprint })).resolves.toEqual(c);
  });

  it('aa-auth+jwt reproduces byte for byte and verifies', async () => {
    const c = V.tokens.auth.claims;
    expect(await createAaAuthToken(signer('ps-key-1'), { iss: c.iss as string, aud: c.aud as string, sub: c.sub as string, cnfJwk: agent.publicJwk, scope: c.scope as string, missionS256: V.mission.s256, now, jti: c.jti as string })).toBe(V.tokens.auth.token);
    await expect(verifyAaAuthToken(V.tokens.auth.token, { keys, now, audience: c.aud as string, requestKey: agent.publicJwk })).resolves.toEqual(c);
  });

  it('the signed person-token request: its signature base, and it verifies under the PS rules', async () => {
    const r = V.personTokenRequest;
    const request: SignableRequest = { method: r.method, url: r.url, headers: r.headers, body: r.body };
    const verified = await verifyRequest(request, {
      profile: AAUTH_CURRENT, now, personOrAccessServer: true,
      resolveKey: async (sk) => {
        if (sk.scheme !== 'jwt') throw new Error('jwt only');
        const claims = await verifyAaAgentToken(sk.jwt, { keys, now });
        return { jwk: claims.cnf.jwk, info: claims };
      },
    });
    expect(verified.thumbprint).toBe(V.keys.agentThumbprint);
    expect(verified.components).toEqual(['@method', '@authority', '@path', 'content-type', 'content-digest', 'signature-key']);
    expect(r.signatureBase.split('\n').at(-1)).toBe(`"@signature-params": ("@method" "@authority" "@path" "content-type" "content-digest" "signature-key");created=${now}`);
  });

  it('AAuth-Requirement values parse as listed; the refused ones fail as listed', () => {
    for (const v of V.requirement) expect(parseRequirement(v.header)).toEqual(v.parsed);
    for (const v of V.requirementRefused) {
      expect(() => parseRequirement(v.header)).toThrow(RequirementError);
      try { parseRequirement(v.header); } catch (err) { expect((err as RequirementError).failure).toBe(v.failure); }
    }
  });

  it('Signature-Error headers parse as listed', () => {
    for (const v of V.signatureError) {
      expect(parseSignatureError(v.header)).toEqual({ error: v.error, ...(v.requiredInput === undefined ? {} : { requiredInput: v.requiredInput }) });
    }
  });
});
