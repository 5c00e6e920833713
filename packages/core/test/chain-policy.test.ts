import { allChainPolicies, askChainPolicy, realmChainPolicy, type ChainPolicy, type ChainPolicyInput } from '../src/index.js';

const input = (act: string[]): ChainPolicyInput => ({ agent: act[0] as string, resource: 'https://r.example', scope: ['read'], act });

describe('realmChainPolicy (aauth.maxChainDepth, aauth.chainActors)', () => {
  it('allows a chain of 15 actors by default and refuses 16', async () => {
    const policy = realmChainPolicy({});
    const chain = Array.from({ length: 16 }, (_, i) => `https://a${i}.example`);
    expect((await policy(input(chain.slice(0, 15)))).allow).toBe(true);
    const refused = await policy(input(chain));
    expect(refused).toEqual({ allow: false, reason: expect.stringContaining('aauth.maxChainDepth') });
  });

  it('refuses an actor outside chainActors anywhere in the chain, naming it', async () => {
    const policy = realmChainPolicy({ maxChainDepth: 3, chainActors: ['https://a.example', 'https://b.example'] });
    expect((await policy(input(['https://a.example', 'https://b.example']))).allow).toBe(true);
    const refused = await policy(input(['https://a.example', 'https://x.example']));
    expect(refused.allow).toBe(false);
    expect(refused.reason).toContain('https://x.example');
    expect(refused.reason).toContain('aauth.chainActors');
  });

  it('a one-actor chain is allowed by aauth.maxChainDepth 1 and refused by a chainActors list lacking it', async () => {
    expect((await realmChainPolicy({ maxChainDepth: 1 })(input(['https://a.example']))).allow).toBe(true);
    expect((await realmChainPolicy({ maxChainDepth: 1 })(input(['https://a.example', 'https://b.example']))).allow).toBe(false);
    const refused = await realmChainPolicy({ maxChainDepth: 1, chainActors: ['https://b.example'] })(input(['https://a.example']));
    expect(refused).toEqual({ allow: false, reason: expect.stringContaining('https://a.example') });
  });
});

describe('askChainPolicy fails closed', () => {
  it.each<[string, ChainPolicy]>([
    ['throws', () => Promise.reject(new Error('down'))],
    ['answers no decision', () => Promise.resolve({} as never)],
  ])('a policy that %s denies with a reason', async (_name, policy) => {
    const decision = await askChainPolicy(policy, input(['https://a.example']));
    expect(decision.allow).toBe(false);
    expect(decision.reason.length).toBeGreaterThan(0);
  });

  it('allChainPolicies answers the first refusal', async () => {
    const deny: ChainPolicy = () => Promise.resolve({ allow: false, reason: 'no second hop' });
    const both = allChainPolicies(realmChainPolicy({}), deny);
    expect(await both(input(['https://a.example']))).toEqual({ allow: false, reason: 'no second hop' });
  });
});
