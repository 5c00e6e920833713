/**
 * The supply-chain agent's optimisation: a replenishment plan for every SKU over a planning horizon,
 * from the bundled inventory, demand history and supplier offers, adjusted by the market analysis.
 *
 * Per SKU:
 *  1. weekly demand  d  = mean(history) × (1 + segment demand growth from the market analysis);
 *  2. safety stock   SS = ⌈z × σ(history) × √H⌉ for the chosen service level (z from the normal
 *     distribution) over the horizon H (periodic review, one review per horizon);
 *  3. inventory position IP = on hand + open orders arriving within H;
 *  4. requirement R = max(0, ⌈d × H + SS⌉ − IP);
 *  5. each supplier offer gets an effective lead time L = quoted + the region's extra weeks, a landed
 *     unit cost = price × the region's cost index, and an expected lateness cost =
 *     (1 − on-time rate) × late-penalty share × landed cost. Offers with L > H cannot help;
 *     the others can ship weekly from week L to week H, so capacity = weekly capacity × (H − L + 1);
 *  6. R is split over the offers by increasing effective cost (landed + lateness), each filled up to
 *     its capacity. With linear costs and per-offer capacities this greedy split is an exact
 *     minimum-cost solution (a continuous knapsack with integer bounds); what no offer can cover is
 *     reported as a shortfall;
 *  7. risk: the first week in which projected stock (on hand + arrivals − d × week) goes negative
 *     before the earliest new delivery can land.
 *
 * Deterministic: no clock, no randomness; ties are broken by supplier id. `planDigest` is the
 * SHA-256 of the canonical plan, so two runs can be compared at a glance.
 */
import { createHash } from 'node:crypto';
import type { MarketAnalysis } from '../../common/src/market-analysis.js';
import type { Product, Supplier, SupplyChainDataSet } from './data/types.js';

/** z-scores of the standard normal distribution for the service levels a planner may pick. */
export const SERVICE_LEVEL_Z: Readonly<Record<string, number>> = Object.freeze({ '0.9': 1.2816, '0.95': 1.6449, '0.98': 2.0537, '0.99': 2.3263 });

export interface PlanOptions {
  readonly horizonWeeks: number;
  /** One of the keys of `SERVICE_LEVEL_Z`, as a number (0.95 = 95 % cycle service level). */
  readonly serviceLevel: number;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = Object.freeze({ horizonWeeks: 8, serviceLevel: 0.95 });

export interface PlannedOrder {
  readonly supplierId: string;
  readonly supplierName: string;
  readonly region: string;
  readonly units: number;
  readonly leadTimeWeeks: number;
  readonly landedUnitCost: number;
  readonly expectedLatenessCostPerUnit: number;
  readonly cost: number;
}

export interface PlanLine {
  readonly sku: string;
  readonly name: string;
  readonly segment: string;
  readonly baselineWeeklyDemand: number;
  readonly demandGrowth: number;
  readonly forecastWeeklyDemand: number;
  readonly safetyStock: number;
  readonly inventoryPosition: number;
  readonly requirement: number;
  readonly orders: readonly PlannedOrder[];
  readonly shortfall: number;
  readonly cost: number;
  /** First week (1-based) in which stock runs out before any new order can arrive, if any. */
  readonly stockoutWeek: number | null;
  readonly weeksOfCover: number;
}

export interface SupplyPlan {
  readonly dataSet: string;
  readonly dataAsOf: string;
  readonly marketAsOf: string;
  readonly horizonWeeks: number;
  readonly serviceLevel: number;
  readonly lines: readonly PlanLine[];
  readonly totals: {
    readonly units: number;
    readonly cost: number;
    readonly shortfallUnits: number;
    readonly suppliersUsed: readonly string[];
    readonly skusAtRisk: readonly string[];
  };
  readonly planDigest: string;
}

export class PlanInputError extends Error {
  override readonly name = 'PlanInputError';
  readonly code = 'invalid_plan_request';
}

const cents = (value: number): number => Math.round(value * 100) / 100;

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n − 1). */
function stdDev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

interface Candidate {
  readonly supplier: Supplier;
  readonly leadTimeWeeks: number;
  readonly landed: number;
  readonly lateness: number;
  readonly capacity: number;
}

function candidatesFor(product: Product, data: SupplyChainDataSet, market: MarketAnalysis, horizon: number): Candidate[] {
  const out: Candidate[] = [];
  for (const supplier of data.suppliers) {
    const offer = supplier.offers.find((o) => o.sku === product.sku);
    if (!offer) continue;
    const region = market.regions[supplier.region];
    if (!region) throw new PlanInputError(`the market analysis has no outlook for region "${supplier.region}"`);
    const leadTimeWeeks = supplier.leadTimeWeeks + region.extraLeadTimeWeeks;
    if (leadTimeWeeks > horizon) continue;
    const landed = offer.unitCost * region.costIndex;
    out.push({
      supplier,
      leadTimeWeeks,
      landed,
      lateness: (1 - supplier.onTimeRate) * data.lateUnitPenaltyShare * landed,
      capacity: offer.weeklyCapacity * (horizon - leadTimeWeeks + 1),
    });
  }
  return out.sort((a, b) => a.landed + a.lateness - (b.landed + b.lateness) || a.supplier.id.localeCompare(b.supplier.id));
}

function firstStockoutWeek(product: Product, weeklyDemand: number, untilWeek: number): number | null {
  for (let week = 1; week <= untilWeek; week += 1) {
    const arrived = product.onOrder.filter((o) => o.arrivesInWeeks <= week).reduce((a, o) => a + o.units, 0);
    if (product.onHand + arrived - weeklyDemand * week < 0) return week;
  }
  return null;
}

function planLine(product: Product, data: SupplyChainDataSet, market: MarketAnalysis, options: PlanOptions, z: number): PlanLine {
  const horizon = options.horizonWeeks;
  if (product.weeklyDemandHistory.length === 0) throw new PlanInputError(`SKU ${product.sku} has no demand history`);
  const outlook = market.segments[product.segment];
  if (!outlook) throw new PlanInputError(`the market analysis has no outlook for segment "${product.segment}"`);
  const baseline = mean(product.weeklyDemandHistory);
  const forecast = baseline * (1 + outlook.demandGrowth);
  const safetyStock = Math.ceil(z * stdDev(product.weeklyDemandHistory) * Math.sqrt(horizon));
  const inventoryPosition = product.onHand + product.onOrder.filter((o) => o.arrivesInWeeks <= horizon).reduce((a, o) => a + o.units, 0);
  const requirement = Math.max(0, Math.ceil(forecast * horizon + safetyStock) - inventoryPosition);

  const orders: PlannedOrder[] = [];
  let remaining = requirement;
  const candidates = candidatesFor(product, data, market, horizon);
  for (const c of candidates) {
    if (remaining === 0) break;
    const units = Math.min(remaining, c.capacity);
    if (units === 0) continue;
    remaining -= units;
    orders.push({
      supplierId: c.supplier.id,
      supplierName: c.supplier.name,
      region: c.supplier.region,
      units,
      leadTimeWeeks: c.leadTimeWeeks,
      landedUnitCost: cents(c.landed),
      expectedLatenessCostPerUnit: cents(c.lateness),
      cost: cents(units * c.landed),
    });
  }
  const earliest = candidates.reduce((min, c) => Math.min(min, c.leadTimeWeeks), horizon);
  return {
    sku: product.sku,
    name: product.name,
    segment: product.segment,
    baselineWeeklyDemand: cents(baseline),
    demandGrowth: outlook.demandGrowth,
    forecastWeeklyDemand: cents(forecast),
    safetyStock,
    inventoryPosition,
    requirement,
    orders,
    shortfall: remaining,
    cost: cents(orders.reduce((a, o) => a + o.cost, 0)),
    stockoutWeek: firstStockoutWeek(product, forecast, earliest),
    weeksOfCover: cents(forecast > 0 ? inventoryPosition / forecast : horizon),
  };
}

/** Canonical JSON (sorted keys) so the digest does not depend on property order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function optimizeSupplyPlan(data: SupplyChainDataSet, market: MarketAnalysis, options: PlanOptions = DEFAULT_PLAN_OPTIONS): SupplyPlan {
  if (!Number.isInteger(options.horizonWeeks) || options.horizonWeeks < 1 || options.horizonWeeks > 52) {
    throw new PlanInputError('horizonWeeks must be a whole number from 1 to 52');
  }
  const z = SERVICE_LEVEL_Z[String(options.serviceLevel)];
  if (z === undefined) throw new PlanInputError(`serviceLevel must be one of ${Object.keys(SERVICE_LEVEL_Z).join(', ')}`);
  const lines = data.products.map((p) => planLine(p, data, market, options, z));
  const suppliersUsed = [...new Set(lines.flatMap((l) => l.orders.map((o) => o.supplierId)))].sort();
  const body = {
    dataSet: data.name,
    dataAsOf: data.asOf,
    marketAsOf: market.asOf,
    horizonWeeks: options.horizonWeeks,
    serviceLevel: options.serviceLevel,
    lines,
    totals: {
      units: lines.reduce((a, l) => a + l.orders.reduce((b, o) => b + o.units, 0), 0),
      cost: cents(lines.reduce((a, l) => a + l.cost, 0)),
      shortfallUnits: lines.reduce((a, l) => a + l.shortfall, 0),
      suppliersUsed,
      skusAtRisk: lines.filter((l) => l.stockoutWeek !== null || l.shortfall > 0).map((l) => l.sku),
    },
  };
  return { ...body, planDigest: createHash('sha256').update(canonical(body)).digest('hex') };
}

/** The segments and regions the plan needs an outlook for: what the SCA asks the MAA. */
export function marketQuestionFor(data: SupplyChainDataSet): { segments: string[]; regions: string[] } {
  return {
    segments: [...new Set(data.products.map((p) => p.segment))].sort(),
    regions: [...new Set(data.suppliers.map((s) => s.region))].sort(),
  };
}
