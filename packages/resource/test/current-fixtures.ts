/**
 * Real loopback parties of the current profile (draft-hardt-oauth-aauth-protocol) for the
 * resource's integration tests: a small Person Server (Keycloak URL layout, `aauth-person.json` +
 * JWKS; person and auth tokens minted with core's create functions, and an `auth_token_endpoint`
 * that checks the signed token request and the resource token as §Resource Token Verification
 * says), an access server (`aauth-access.json`), and an agent provider (`aauth-agent.json` + JWKS,
 * `aa-agent+jwt`).
 */
import { randomUUID, sign } from 'node:crypto';
import express from 'express';
import {
  AAUTH_CURRENT, GuardedFetcher, KeyDiscovery, createAaAgentToken, createAaAuthToken, createAaPersonToken, generateSigningKey, toJwks, verifyAaAgentToken,
  verifyAaResourceToken, verifyRequest, type CreateAaAuthTokenInput, type CreateAaPersonTokenInput, type SigningKey,
} from '@aauth-ts/core';
import { listen, type Running } from './fixtures.js';

const W = AAUTH_CURRENT.wellKnown;

/** Key discovery of the current profile over loopback, as a test's own verifier. */
export function currentDiscovery(): KeyDiscovery {
  return new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }), { profile: 'aauth-current' });
}

export interface TokenIssuer extends Running {
  readonly issuer: string;
  readonly key: SigningKey;
  /** Requests for its metadata document so far. */
  readonly metadataFetches: () => number;
}

export interface PersonServer extends TokenIssuer {
  personToken(input: Omit<CreateAaPersonTokenInput, 'iss'>): Promise<string>;
  authToken(input: Omit<CreateAaAuthTokenInput, 'iss' | 'issuer'>): Promise<string>;
  /** The `presented_jti`s of the resource tokens its token endpoint accepted. */
  readonly redeemed: string[];
}

/**
 * A Person Server with the Keycloak layout, issuer `{origin}/realms/{realm}`. Its token endpoint
 * takes `{resource_token}` signed with an agent token and answers `{auth_token}` for the resource
 * token's `ps`/`sub`/`scope`/`mission_s256`, bound to the signing key, after §Resource Token
 * Verification steps 1-5 (the `agent_jkt` against the key that signed the token request).
 */
export async function startPersonServer(realm = 'ps'): Promise<PersonServer> {
  const key = generateSigningKey();
  let issuer = '';
  let fetches = 0;
  const redeemed: string[] = [];
  const running = await listen((url) => {
    issuer = `${url}/realms/${realm}`;
    const keys = currentDiscovery();
    const app = express();
    app.get(`/realms/${realm}/.well-known/${W.person}`, (_req, res) => {
      fetches += 1;
      res.json({
        issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs`,
        person_token_endpoint: `${issuer}/protocol/aauth/ps/person`, auth_token_endpoint: `${issuer}/protocol/aauth/ps/token`,
      });
    });
    app.get(`/realms/${realm}/protocol/openid-connect/certs`, (_req, res) => {
      res.json(toJwks([key], 'aauth-current'));
    });
    app.post(`/realms/${realm}/protocol/aauth/ps/token`, express.raw({ type: '*/*' }), (req, res) => {
      void (async () => {
        const verified = await verifyRequest({ method: req.method, url: `${url}${req.originalUrl}`, headers: req.headers, body: req.body as Buffer }, {
          resolveKey: async (signatureKey) => {
            if (signatureKey.scheme !== 'jwt') throw new Error('the token endpoint takes agent tokens only');
            const agent = await verifyAaAgentToken(signatureKey.jwt, { keys, identifiers: { allowLoopbackHttp: true, exact: [issuer] } });
            return { jwk: agent.cnf.jwk, info: agent };
          },
        });
        const body = JSON.parse((req.body as Buffer).toString('utf8')) as { resource_token: string };
        const claims = await verifyAaResourceToken(body.resource_token, { keys, audience: issuer, agentJkt: verified.thumbprint, identifiers: { allowLoopbackHttp: true, exact: [issuer] } });
        redeemed.push(claims.presented_jti);
        const authToken = await createAaAuthToken(key, {
          iss: issuer, aud: claims.iss, sub: claims.sub, cnfJwk: verified.jwk, scope: claims.scope,
          ...(claims.mission_s256 === undefined ? {} : { missionS256: claims.mission_s256 }),
        });
        res.json({ auth_token: authToken, expires_in: 3600 });
      })().catch((err: unknown) => {
        res.status(400).type(AAUTH_CURRENT.problemContentType).json({ error: 'invalid_resource_token', detail: (err as Error).message });
      });
    });
    return app;
  });
  return {
    ...running,
    issuer,
    key,
    redeemed,
    metadataFetches: () => fetches,
    personToken: (input) => createAaPersonToken(key, { ...input, iss: issuer }),
    authToken: (input) => createAaAuthToken(key, { ...input, iss: issuer, issuer: 'person' }),
  };
}

export interface AccessServer extends TokenIssuer {
  authToken(input: Omit<CreateAaAuthTokenInput, 'iss' | 'issuer'> & { ps: string }): Promise<string>;
}

/** A resource's own access server (four-party): `aauth-access.json` at its origin. */
export async function startAccessServer(): Promise<AccessServer> {
  const key = generateSigningKey();
  let fetches = 0;
  const running = await listen((url) => {
    const app = express();
    app.get(`/.well-known/${W.access}`, (_req, res) => {
      fetches += 1;
      res.json({ issuer: url, jwks_uri: `${url}/jwks.json`, auth_token_endpoint: `${url}/token` });
    });
    app.get('/jwks.json', (_req, res) => {
      res.json(toJwks([key], 'aauth-current'));
    });
    return app;
  });
  return {
    ...running,
    issuer: running.url,
    key,
    metadataFetches: () => fetches,
    authToken: (input) => createAaAuthToken(key, { ...input, iss: running.url, issuer: 'access' }),
  };
}

export interface AgentProvider extends TokenIssuer {
  /** The agent identifier of its agents' tokens. */
  readonly agentId: string;
  agentToken(delegate: SigningKey, ps?: string): Promise<string>;
  /**
   * An agent token whose `cnf.jwk` is `jwk` exactly as given (no `alg` filled in or checked), for
   * the signing-key faults core's token functions refuse to write; signed like theirs (Ed25519).
   */
  agentTokenWithCnf(jwk: Readonly<Record<string, unknown>>): string;
}

/** An agent provider: `aauth-agent.json` + JWKS, agents `aauth:assistant@{its host}`. */
export async function startAgentProvider(): Promise<AgentProvider> {
  const key = generateSigningKey();
  let fetches = 0;
  const running = await listen((url) => {
    const app = express();
    app.get(`/.well-known/${W.agent}`, (_req, res) => {
      fetches += 1;
      res.json({ issuer: url, jwks_uri: `${url}/jwks.json`, name: 'Test agent provider' });
    });
    app.get('/jwks.json', (_req, res) => {
      res.json(toJwks([key], 'aauth-current'));
    });
    return app;
  });
  const agentId = `${AAUTH_CURRENT.agentIdentifier.scheme}assistant@${new URL(running.url).host}`;
  return {
    ...running,
    issuer: running.url,
    key,
    agentId,
    metadataFetches: () => fetches,
    agentToken: (delegate, ps) => createAaAgentToken(key, { iss: running.url, sub: agentId, cnfJwk: delegate.publicJwk, ...(ps === undefined ? {} : { ps }) }),
    agentTokenWithCnf: (jwk) => {
      const iat = Math.floor(Date.now() / 1000);
      const segment = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
      const input = `${segment({ alg: 'Ed25519', typ: AAUTH_CURRENT.typ.agent, kid: key.kid })}.${segment({ iss: running.url, dwk: W.agent, sub: agentId, cnf: { jwk }, iat, exp: iat + 600, jti: randomUUID() })}`;
      return `${input}.${sign(null, Buffer.from(input), key.privateKey).toString('base64url')}`;
    },
  };
}
