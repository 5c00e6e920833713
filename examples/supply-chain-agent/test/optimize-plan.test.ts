import fc from 'fast-check';
import { LAPTOP_SUPPLY_CHAIN } from '../src/data/laptop-supply-chain.js';
import type { SupplyChainDataSet } from '../src/data/types.js';
import { optimizeSupplyPlan, marketQuestionFor, PlanInputError, DEFAULT_PLAN_OPTIONS } from '../src/optimize-plan.js';
import { analyzeMarket } from '../../market-analysis-agent/src/analyze.js';
import type { MarketAnalysis } from '../../common/src/market-analysis.js';

const question = marketQuestionFor(LAPTOP_SUPPLY_CHAIN);
const market: MarketAnalysis = analyzeMarket({ ...question, horizonWeeks: 8 });

describe('optimizeSupplyPlan over the bundled data set', () => {
  const plan = optimizeSupplyPlan(LAPTOP_SUPPLY_CHAIN, market);

  it('plans every SKU and balances requirement = ordered + shortfall', () => {
    expect(plan.lines.map((l) => l.sku)).toEqual(LAPTOP_SUPPLY_CHAIN.products.map((p) => p.sku));
    for (const line of plan.lines) {
      const ordered = line.orders.reduce((a, o) => a + o.units, 0);
      expect(ordered + line.shortfall).toBe(line.requirement);
      expect(line.orders.every((o) => Number.isInteger(o.units) && o.units > 0)).toBe(true);
    }
  });

  it('is deterministic: same inputs, same plan and digest', () => {
    const again = optimizeSupplyPlan(LAPTOP_SUPPLY_CHAIN, analyzeMarket({ ...question, horizonWeeks: 8 }));
    expect(again).toEqual(plan);
    expect(plan.planDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('uses the market analysis: education demand growth raises the EDU requirement', () => {
    const edu = plan.lines.find((l) => l.sku === 'LT-EDU-11');
    expect(edu?.demandGrowth).toBeCloseTo(0.22);
    const flat: MarketAnalysis = { ...market, segments: { ...market.segments, education: { demandGrowth: 0, note: 'flat' } } };
    const flatEdu = optimizeSupplyPlan(LAPTOP_SUPPLY_CHAIN, flat).lines.find((l) => l.sku === 'LT-EDU-11');
    expect(edu!.requirement).toBeGreaterThan(flatEdu!.requirement);
  });

  it('applies region lead-time outlook: an extra week of congestion delays the Shenzhen offers', () => {
    const sku = plan.lines.find((l) => l.sku === 'LT-PRO-14');
    const shenzhen = sku?.orders.find((o) => o.supplierId === 'sup-shenzhen');
    if (shenzhen) expect(shenzhen.leadTimeWeeks).toBe(6);
  });

  it('fills cheaper effective offers first (exact for linear costs with capacities)', () => {
    for (const line of plan.lines) {
      const effective = line.orders.map((o) => o.landedUnitCost + o.expectedLatenessCostPerUnit);
      expect([...effective].sort((a, b) => a - b)).toEqual(effective);
    }
  });

  it('flags the SKUs that run out of stock or cannot be covered', () => {
    for (const sku of plan.totals.skusAtRisk) {
      const line = plan.lines.find((l) => l.sku === sku)!;
      expect(line.stockoutWeek !== null || line.shortfall > 0).toBe(true);
    }
    expect(plan.totals.units).toBeGreaterThan(0);
    expect(plan.totals.cost).toBeGreaterThan(0);
  });

  it('refuses a market analysis that misses a region it needs', () => {
    const partial: MarketAnalysis = { ...market, regions: {} };
    expect(() => optimizeSupplyPlan(LAPTOP_SUPPLY_CHAIN, partial)).toThrow(PlanInputError);
  });

  it('refuses an unknown service level and a silly horizon', () => {
    expect(() => optimizeSupplyPlan(LAPTOP_SUPPLY_CHAIN, market, { horizonWeeks: 8, serviceLevel: 0.5 })).toThrow(/serviceLevel/);
    expect(() => optimizeSupplyPlan(LAPTOP_SUPPLY_CHAIN, market, { horizonWeeks: 0, serviceLevel: 0.95 })).toThrow(/horizonWeeks/);
  });
});

describe('optimizeSupplyPlan properties (bounded)', () => {
  const product = fc.record({
    onHand: fc.integer({ min: 0, max: 5000 }),
    history: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 }),
    growth: fc.double({ min: -0.5, max: 1, noNaN: true }),
    capacities: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 3 }),
  });

  it('never exceeds an offer capacity, always balances, and more demand growth never lowers the requirement', () => {
    fc.assert(
      fc.property(product, fc.integer({ min: 1, max: 20 }), ({ onHand, history, growth, capacities }, horizon) => {
        const data: SupplyChainDataSet = {
          name: 'generated', asOf: '2026-01-01', lateUnitPenaltyShare: 0.3,
          products: [{ sku: 'X', name: 'x', segment: 'consumer', onHand, onOrder: [], weeklyDemandHistory: history }],
          suppliers: capacities.map((weeklyCapacity, i) => ({
            id: `s${i}`, name: `s${i}`, region: 'vietnam' as const, leadTimeWeeks: i + 1, onTimeRate: 0.9,
            offers: [{ sku: 'X', unitCost: 100 + i, weeklyCapacity }],
          })),
        };
        const m = (g: number): MarketAnalysis => ({ ...market, segments: { consumer: { demandGrowth: g, note: '' } } });
        const options = { ...DEFAULT_PLAN_OPTIONS, horizonWeeks: horizon };
        const line = optimizeSupplyPlan(data, m(growth), options).lines[0]!;
        for (const order of line.orders) {
          const lead = order.leadTimeWeeks;
          const cap = (capacities[Number(order.supplierId.slice(1))] ?? 0) * (horizon - lead + 1);
          expect(order.units).toBeLessThanOrEqual(cap);
        }
        expect(line.orders.reduce((a, o) => a + o.units, 0) + line.shortfall).toBe(line.requirement);
        const more = optimizeSupplyPlan(data, m(growth + 0.1), options).lines[0]!;
        expect(more.requirement).toBeGreaterThanOrEqual(line.requirement);
      }),
      { numRuns: 200, seed: 20260302 },
    );
  });
});
