/**
 * The market-analysis agent's one operation: the outlook for the requested segments and regions,
 * read from its bundled panel. Unknown names are refused rather than guessed.
 */
import { MarketAnalysisFormatError, type MarketAnalysis, type MarketAnalysisRequest, type RegionOutlook, type SegmentOutlook } from '../../common/src/market-analysis.js';
import { PANEL_AS_OF, PANEL_SOURCE, REGION_OUTLOOK, SEGMENT_OUTLOOK } from './data/market-panel.js';

export function analyzeMarket(request: MarketAnalysisRequest): MarketAnalysis {
  const segments: Record<string, SegmentOutlook> = {};
  for (const name of request.segments) {
    const outlook = SEGMENT_OUTLOOK[name];
    if (!outlook) throw new MarketAnalysisFormatError(`unknown segment "${name}" (known: ${Object.keys(SEGMENT_OUTLOOK).join(', ')})`);
    segments[name] = outlook;
  }
  const regions: Record<string, RegionOutlook> = {};
  for (const name of request.regions) {
    const outlook = REGION_OUTLOOK[name];
    if (!outlook) throw new MarketAnalysisFormatError(`unknown region "${name}" (known: ${Object.keys(REGION_OUTLOOK).join(', ')})`);
    regions[name] = outlook;
  }
  return { asOf: PANEL_AS_OF, horizonWeeks: request.horizonWeeks, segments, regions, source: PANEL_SOURCE };
}
