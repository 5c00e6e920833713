// The parties of the end-to-end checks (agents and resources as tiny servers on 127.0.0.1) and their
// RFC 9421 signed requests to the provider, shared by run.mjs and admin-console.mjs.
//   the issuer: argv[2], else AAUTH_E2E_ISSUER, else http://127.0.0.1:8180/realms/aauth-e2e
import crypto from 'node:crypto';
import http from 'node:http';

export const ISSUER = (process.argv[2] ?? process.env.AAUTH_E2E_ISSUER ?? 'http://127.0.0.1:8180/realms/aauth-e2e').replace(/\/+$/, '');

// ---------- small crypto helpers (RFC 7638, RFC 9421, RFC 9530, JWS) ----------
export const b64u = (buf) => Buffer.from(buf).toString('base64url');
export const newKey = () => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return { privateKey, jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, jkt: thumbprint(jwk) };
};
export function thumbprint(jwk) {
  const members = jwk.kty === 'OKP' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
    : jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return b64u(crypto.createHash('sha256').update(JSON.stringify(members)).digest());
}
export function jws(header, payload, privateKey) {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  return `${input}.${b64u(crypto.sign(null, Buffer.from(input), privateKey))}`;
}
export const decode = (t) => { const [h, p] = t.split('.'); return { header: JSON.parse(Buffer.from(h, 'base64url')), payload: JSON.parse(Buffer.from(p, 'base64url')) }; };
export const now = () => Math.floor(Date.now() / 1000);

// ---------- parties ----------
export class Party {
  constructor(name, port, { agent = false, resource = false } = {}) {
    this.id = `http://${name}.localhost:${port}`;
    this.port = port;
    this.agent = agent;
    this.resource = resource;
    this.serverKey = newKey(); // signs agent tokens / resource tokens (published JWKS)
    this.delegateKey = newKey(); // signs HTTP requests (cnf.jwk of the agent token)
  }
  start() {
    this.server = http.createServer((req, res) => {
      const docs = {
        '/.well-known/aauth-agent.json': this.agent && { agent: this.id, jwks_uri: `${this.id}/jwks.json` },
        '/.well-known/aauth-resource.json': this.resource && { resource: this.id, jwks_uri: `${this.id}/jwks.json` },
        '/jwks.json': { keys: [{ ...this.serverKey.jwk, kid: 'k1', use: 'sig', alg: 'EdDSA' }] },
      };
      const doc = docs[req.url];
      res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(doc || { error: 'not found' }));
    });
    return new Promise((r) => this.server.listen(this.port, '127.0.0.1', r));
  }
  stop() { return new Promise((r) => (this.server ? this.server.close(r) : r())); }
  agentToken({ key = this.delegateKey, typ = 'agent+jwt', signWith = this.serverKey, ...extra } = {}) {
    return jws({ alg: 'EdDSA', typ, kid: 'k1' }, { iss: this.id, sub: 'delegate-1', jti: crypto.randomUUID(), cnf: { jwk: key.jwk }, iat: now(), exp: now() + 600, ...extra }, signWith.privateKey);
  }
  resourceToken(agent, { scope, aud = ISSUER, agentId = agent.id, jkt = agent.delegateKey.jkt, signWith = this.serverKey, exp = now() + 300, txn } = {}) {
    const payload = { iss: this.id, aud, agent: agentId, agent_jkt: jkt, jti: crypto.randomUUID(), iat: now(), exp };
    if (scope !== undefined) payload.scope = scope;
    if (txn !== undefined) payload.txn = txn;
    return jws({ alg: 'EdDSA', typ: 'resource+jwt', kid: 'k1' }, payload, signWith.privateKey);
  }
}

// ---------- RFC 9421 signed requests ----------
export async function signed(method, url, { party, body, contentType = 'application/json', key, sigKey, created = now(), components, tamperDigest = false } = {}) {
  const u = new URL(url);
  const headers = {};
  let raw;
  if (body !== undefined) {
    raw = typeof body === 'string' ? body : JSON.stringify(body);
    headers['content-type'] = contentType;
    const digest = crypto.createHash('sha256').update(tamperDigest ? raw + ' ' : raw).digest('base64');
    headers['content-digest'] = `sha-256=:${digest}:`;
  }
  const signingKey = key ?? party.delegateKey;
  headers['signature-key'] = sigKey ?? `sig=jwt;jwt="${party.agentToken({ key: signingKey })}"`;
  const comps = components ?? ['@method', '@authority', '@path', ...(u.search ? ['@query'] : []), 'signature-key', ...(raw !== undefined ? ['content-type', 'content-digest'] : [])];
  const params = `(${comps.map((c) => `"${c}"`).join(' ')});created=${created}`;
  const value = (c) => ({ '@method': method, '@authority': u.host, '@path': u.pathname, '@query': u.search || '?' })[c] ?? headers[c];
  const base = [...comps.map((c) => `"${c}": ${value(c)}`), `"@signature-params": ${params}`].join('\n');
  headers['signature-input'] = `sig=${params}`;
  headers.signature = `sig=:${crypto.sign(null, Buffer.from(base), signingKey.privateKey).toString('base64')}:`;
  const res = await fetch(url, { method, headers, body: raw });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, json, text };
}
export const tokenRequest = (party, body, opts = {}) => signed('POST', `${opts.issuer ?? ISSUER}/protocol/aauth/token`, { party, body, ...opts });

/** The admin REST API of the issuer's realm, as the bootstrap admin: `(method, path under /admin/realms/{realm}, body?) → { status, json }`. */
export async function adminApi(issuer = ISSUER) {
  const base = issuer.replace(/\/realms\/[^/]+$/, '');
  const realm = issuer.slice(base.length + '/realms/'.length);
  const res = await fetch(`${base}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: process.env.KC_BOOTSTRAP_ADMIN_USERNAME ?? 'admin', password: process.env.KC_BOOTSTRAP_ADMIN_PASSWORD ?? 'admin' }),
  });
  const token = (await res.json()).access_token;
  if (res.status !== 200) throw new Error(`admin login: HTTP ${res.status}`);
  return async (method, path, body) => {
    const r = await fetch(`${base}/admin/realms/${realm}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, json: text.length > 0 && r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
  };
}
