/**
 * The market-analysis agent's answer, as the supply-chain agent consumes it. Both sides share this
 * shape; the consumer validates every member before use, so a malformed answer is a typed error,
 * never a wrong plan.
 */

/** The market-analysis agent's A2A skill that answers a `MarketAnalysisRequest` (see its agent card). */
export const MARKET_OUTLOOK_SKILL = 'market-outlook';

export interface SegmentOutlook {
  /** Expected change of weekly demand over the planning horizon, as a fraction (0.06 = +6 %). */
  readonly demandGrowth: number;
  readonly note: string;
}

export interface RegionOutlook {
  /** Multiplier on quoted unit prices (components, tariffs, freight); 1 = unchanged. */
  readonly costIndex: number;
  /** Weeks added to quoted lead times (port congestion, customs). */
  readonly extraLeadTimeWeeks: number;
  readonly note: string;
}

export interface MarketAnalysis {
  readonly asOf: string;
  readonly horizonWeeks: number;
  readonly segments: Readonly<Record<string, SegmentOutlook>>;
  readonly regions: Readonly<Record<string, RegionOutlook>>;
  readonly source: string;
}

export interface MarketAnalysisRequest {
  readonly segments: readonly string[];
  readonly regions: readonly string[];
  readonly horizonWeeks: number;
}

export class MarketAnalysisFormatError extends Error {
  override readonly name = 'MarketAnalysisFormatError';
  readonly code = 'invalid_market_analysis';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finite(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new MarketAnalysisFormatError(`${where} must be a finite number`);
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new MarketAnalysisFormatError(`${where} must be a string`);
  return value;
}

/** Validate an untrusted JSON value as a `MarketAnalysis`. */
export function parseMarketAnalysis(value: unknown): MarketAnalysis {
  if (!isRecord(value)) throw new MarketAnalysisFormatError('the market analysis must be a JSON object');
  const segmentsIn = value.segments;
  const regionsIn = value.regions;
  if (!isRecord(segmentsIn)) throw new MarketAnalysisFormatError('"segments" must be an object');
  if (!isRecord(regionsIn)) throw new MarketAnalysisFormatError('"regions" must be an object');
  const segments: Record<string, SegmentOutlook> = {};
  for (const [name, outlook] of Object.entries(segmentsIn)) {
    if (!isRecord(outlook)) throw new MarketAnalysisFormatError(`segments.${name} must be an object`);
    const demandGrowth = finite(outlook.demandGrowth, `segments.${name}.demandGrowth`);
    if (demandGrowth <= -1) throw new MarketAnalysisFormatError(`segments.${name}.demandGrowth must be above -1`);
    segments[name] = { demandGrowth, note: text(outlook.note, `segments.${name}.note`) };
  }
  const regions: Record<string, RegionOutlook> = {};
  for (const [name, outlook] of Object.entries(regionsIn)) {
    if (!isRecord(outlook)) throw new MarketAnalysisFormatError(`regions.${name} must be an object`);
    const costIndex = finite(outlook.costIndex, `regions.${name}.costIndex`);
    const extraLeadTimeWeeks = finite(outlook.extraLeadTimeWeeks, `regions.${name}.extraLeadTimeWeeks`);
    if (costIndex <= 0) throw new MarketAnalysisFormatError(`regions.${name}.costIndex must be positive`);
    if (extraLeadTimeWeeks < 0 || !Number.isInteger(extraLeadTimeWeeks)) throw new MarketAnalysisFormatError(`regions.${name}.extraLeadTimeWeeks must be a whole number of weeks`);
    regions[name] = { costIndex, extraLeadTimeWeeks, note: text(outlook.note, `regions.${name}.note`) };
  }
  return {
    asOf: text(value.asOf, 'asOf'),
    horizonWeeks: finite(value.horizonWeeks, 'horizonWeeks'),
    segments,
    regions,
    source: text(value.source, 'source'),
  };
}

/** Validate an untrusted request body as a `MarketAnalysisRequest`. */
export function parseMarketAnalysisRequest(value: unknown): MarketAnalysisRequest {
  if (!isRecord(value)) throw new MarketAnalysisFormatError('the request body must be a JSON object');
  const list = (member: unknown, where: string): string[] => {
    if (!Array.isArray(member) || member.length > 32 || !member.every((x): x is string => typeof x === 'string' && x.length <= 64)) {
      throw new MarketAnalysisFormatError(`"${where}" must be an array of at most 32 short strings`);
    }
    return member;
  };
  const horizonWeeks = finite(value.horizonWeeks, 'horizonWeeks');
  if (!Number.isInteger(horizonWeeks) || horizonWeeks < 1 || horizonWeeks > 52) throw new MarketAnalysisFormatError('"horizonWeeks" must be a whole number from 1 to 52');
  return { segments: list(value.segments, 'segments'), regions: list(value.regions, 'regions'), horizonWeeks };
}
