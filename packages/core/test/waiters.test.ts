import { Waiters } from '../src/index.js';

// One way to hold a poll on a deferred request (an intermediary's chained flow, a resource's
// deferral): woken when the request settles, else let go when its wait runs out.
describe('Waiters', () => {
  it('wakeAll releases every waiter at once and forgets them', async () => {
    const waiters = new Waiters();
    const held = [waiters.wait(3600), waiters.wait(3600)];
    expect(waiters.size).toBe(2);
    waiters.wakeAll();
    await Promise.all(held);
    expect(waiters.size).toBe(0);
  });

  it('a waiter whose wait runs out is let go and forgotten', async () => {
    const waiters = new Waiters();
    await waiters.wait(0.01);
    expect(waiters.size).toBe(0);
  });

  it('a wait of no time resolves at once without holding', async () => {
    const waiters = new Waiters();
    await waiters.wait(0);
    expect(waiters.size).toBe(0);
  });
});
