/**
 * The embedded login page against guessing, over real HTTP on loopback: failed logins are counted
 * per interaction code and per user, and past the limit the page answers 429 with Retry-After
 * without looking at the password (so a right guess during the lock teaches nothing). Passwords
 * are kept as salted scrypt hashes, and a realm exported from Keycloak with pbkdf2 credentials
 * logs in unchanged.
 *
 * Codes typed into the manual-entry form (or opened by URL) that name no live request count
 * per client address.
 *
 * The consent page names a validated callback's origin in its CSP form-action, nothing more.
 *
 * Cannot prove: resistance to guessing spread over many IP addresses and users (the per-user
 * limit bounds what any number of addresses can try against one account).
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { parseRealm } from '@aauth-ts/auth-server';
import { FailureLimit, LOGIN_LIMITS } from '../src/interaction/login-throttle.js';
import { postJson, type Signer } from '../../../conformance/support/signed-fetch.js';
import { USER, startFixture, type Fixture } from './helpers.js';

async function startPending(f: Fixture): Promise<string> {
  const signer: Signer = { key: f.agent.delegateKey, signatureKey: { scheme: 'jwt', jwt: await f.agent.agentToken() } };
  const rt = await f.resource.resourceToken({ aud: f.issuer, agent: f.agent.id, agentJkt: f.agent.delegateKey.thumbprint, scope: 'data:read' });
  const res = await postJson(`${f.issuer}/protocol/aauth/token`, signer, { resource_token: rt });
  expect(res.status).toBe(202);
  return res.json.code as string;
}

async function login(f: Fixture, code: string, username: string, password: string): Promise<{ status: number; retryAfter: string | null; html: string }> {
  const res = await fetch(`${f.issuer}/protocol/aauth/interact`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ step: 'login', code, username, password }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), html: await res.text() };
}

const CONSENT = /Grant access\?/;

describe('login page throttling', () => {
  let clock = Math.floor(Date.now() / 1000);
  let f: Fixture;
  beforeEach(async () => {
    clock = Math.floor(Date.now() / 1000);
    f = await startFixture({ now: () => clock });
  });
  afterEach(async () => {
    await f.close();
  });

  it('a brute-force loop on one code is cut off with 429 + Retry-After, and the right password is refused while locked', async () => {
    const code = await startPending(f);
    const statuses: number[] = [];
    let locked: { status: number; retryAfter: string | null } | undefined;
    for (let i = 0; i < 50 && locked === undefined; i++) {
      const answer = await login(f, code, USER.username, `guess-${i}`);
      statuses.push(answer.status);
      if (answer.status === 429) locked = answer;
    }
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(locked?.status).toBe(429);
    expect(Number(locked?.retryAfter)).toBeGreaterThan(0);

    const right = await login(f, code, USER.username, USER.password);
    expect(right.status).toBe(429);
    expect(right.html).not.toMatch(CONSENT);

    // After the lock the user can sign in with this code.
    clock += Number(locked?.retryAfter) + 1;
    const after = await login(f, code, USER.username, USER.password);
    expect(after.status).toBe(200);
    expect(after.html).toMatch(CONSENT);
  });

  it('guesses sent in parallel on one code are cut off just the same', async () => {
    const code = await startPending(f);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => login(f, code, USER.username, `parallel-${i}`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(25);
  });

  it('guesses spread over many codes are counted per user: the account locks, whatever the code', async () => {
    let lockedAt: number | undefined;
    for (let round = 0; round < 10 && lockedAt === undefined; round++) {
      const code = await startPending(f);
      for (let i = 0; i < 3; i++) {
        const answer = await login(f, code, USER.username, `round-${round}-${i}`);
        if (answer.status === 429) {
          lockedAt = round * 3 + i;
          break;
        }
      }
    }
    expect(lockedAt).toBeDefined();
    expect(lockedAt).toBeLessThanOrEqual(10);
    const fresh = await startPending(f);
    const right = await login(f, fresh, USER.username, USER.password);
    expect(right.status).toBe(429);
    expect(Number(right.retryAfter)).toBeGreaterThan(0);
  });

  it('failures with usernames the realm does not know are not counted per user (no memory per invented name)', async () => {
    const code = await startPending(f);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await login(f, code, `nobody-${i}`, 'x')).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
    // The code still counts them: one more failure and it locks.
    expect((await login(f, code, 'nobody-else', 'x')).status).toBe(401);
    expect((await login(f, code, USER.username, USER.password)).status).toBe(429);
  });

  it('typed-in code guesses are throttled per address: unknown codes lock it with 429 + Retry-After, a live code included', async () => {
    const live = await startPending(f);
    const open = (code: string): Promise<Response> => fetch(`${f.issuer}/protocol/aauth/interact?code=${encodeURIComponent(code)}`);
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMITS.perAddress.maxFailures; i++) {
      const res = await open(`GUES-${String(i).padStart(4, '0')}`);
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses.every((s) => s === 400)).toBe(true);
    const locked = await open(live);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    await locked.arrayBuffer();

    clock += LOGIN_LIMITS.perAddress.lockSeconds + 1;
    const after = await open(`${live.slice(0, 4)}-${live.slice(4).toLowerCase()}`);
    expect(after.status).toBe(200);
    expect(await after.text()).toMatch(/type="password"/);
  });
});

describe('failure counting memory', () => {
  it('holds at most maxKeys keys, and a flood of other keys does not lift a lock early', () => {
    const limit = new FailureLimit({ maxFailures: 2, lockSeconds: 60, maxKeys: 3 });
    limit.fail('target', 0);
    limit.fail('target', 0);
    expect(limit.retryAfter('target', 10)).toBe(50);
    for (let i = 0; i < 100; i++) limit.fail(`flood-${i}`, 20);
    expect(limit.size).toBeLessThanOrEqual(3);
    expect(limit.retryAfter('target', 30)).toBe(30);
    expect(limit.retryAfter('target', 70)).toBe(0);
  });
});

describe('password storage', () => {
  it('plain realm passwords are kept as salted scrypt hashes, never the password or its bare SHA-256', () => {
    const realm = parseRealm({
      realm: 'p',
      users: [
        { id: 'u1', username: 'one', credentials: [{ type: 'password', value: 'same' }] },
        { id: 'u2', username: 'two', credentials: [{ type: 'password', value: 'same' }] },
      ],
    });
    const one = realm.users.get('one')?.password;
    const two = realm.users.get('two')?.password;
    expect(one).toMatchObject({ kdf: 'scrypt' });
    expect(two).toMatchObject({ kdf: 'scrypt' });
    expect(Buffer.compare(one?.salt ?? Buffer.alloc(0), two?.salt ?? Buffer.alloc(0))).not.toBe(0);
    expect(Buffer.compare(one?.hash ?? Buffer.alloc(0), two?.hash ?? Buffer.alloc(0))).not.toBe(0);
  });

  it('a Keycloak realm export with a pbkdf2-sha256 credential (secretData/credentialData) logs in', async () => {
    const password = 'export-pass-1';
    const salt = randomBytes(16);
    const iterations = 27500;
    const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha256');
    // The shape `kc.sh export` writes: JSON strings inside the credential.
    const credential = {
      id: 'c1', type: 'password', userLabel: 'My password', createdDate: 1700000000000,
      secretData: JSON.stringify({ value: hash.toString('base64'), salt: salt.toString('base64'), additionalParameters: {} }),
      credentialData: JSON.stringify({ hashIterations: iterations, algorithm: 'pbkdf2-sha256', additionalParameters: {} }),
    };
    const g = await startFixture({ users: [{ id: USER.id, username: USER.username, credentials: [credential] }] });
    try {
      const code = await startPending(g);
      expect((await login(g, code, USER.username, 'wrong')).status).toBe(401);
      const ok = await login(g, code, USER.username, password);
      expect(ok.status).toBe(200);
      expect(ok.html).toMatch(CONSENT);
    } finally {
      await g.close();
    }
  });

  it('a credential with an algorithm the server cannot check is refused at load, with its path', () => {
    const credential = { type: 'password', secretData: JSON.stringify({ value: 'AAAA', salt: 'AAAA' }), credentialData: JSON.stringify({ hashIterations: 5, algorithm: 'argon2' }) };
    expect(() => parseRealm({ realm: 'p', users: [{ id: 'u', username: 'u', credentials: [credential] }] })).toThrow(/users\[0\]\.credentials\[0\].*argon2/);
  });
});

describe('the consent page\'s Content-Security-Policy form-action (2026-03 interaction endpoint)', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  async function consentCsp(callback: string | undefined): Promise<string | null> {
    const code = await startPending(f);
    const page = new URL(`${f.issuer}/protocol/aauth/interact`);
    page.searchParams.set('code', code);
    if (callback !== undefined) page.searchParams.set('callback', callback);
    expect((await (await fetch(page)).text())).toContain('name="password"');
    const res = await fetch(`${f.issuer}/protocol/aauth/interact`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ step: 'login', code, username: USER.username, password: USER.password }),
    });
    expect(await res.text()).toMatch(CONSENT);
    return res.headers.get('content-security-policy');
  }

  it('with a validated callback on the agent\'s origin: \'self\' and exactly that origin', async () => {
    const origin = new URL(f.agent.id).origin;
    expect(await consentCsp(`${origin}/done?x=1`)).toContain(`form-action 'self' ${origin};`);
  });

  it('without a callback: \'self\' alone', async () => {
    expect(await consentCsp(undefined)).toContain("form-action 'self';");
  });
});
