/**
 * The market-analysis agent's bundled panel: demand outlook per laptop segment and cost/lead-time
 * outlook per sourcing region. Invented, fixed numbers so the demo is deterministic.
 */
import type { RegionOutlook, SegmentOutlook } from '../../../common/src/market-analysis.js';

export const PANEL_AS_OF = '2026-03-02';
export const PANEL_SOURCE = 'market-analysis agent, bundled quarterly panel (fictional)';

export const SEGMENT_OUTLOOK: Readonly<Record<string, SegmentOutlook>> = Object.freeze({
  consumer: { demandGrowth: 0.04, note: 'spring refresh lifts consumer ultrabooks slightly' },
  business: { demandGrowth: 0.06, note: 'operating-system end of support drives fleet refreshes' },
  education: { demandGrowth: 0.22, note: 'school-year tenders open; demand rises steeply into summer' },
  gaming: { demandGrowth: -0.03, note: 'post-holiday lull; new GPU generation announced for autumn' },
  workstation: { demandGrowth: 0.02, note: 'stable; AI-workload upgrades offset budget pressure' },
});

export const REGION_OUTLOOK: Readonly<Record<string, RegionOutlook>> = Object.freeze({
  'taiwan': { costIndex: 1.04, extraLeadTimeWeeks: 0, note: 'DRAM and SSD contract prices up 4 %' },
  'mainland-china': { costIndex: 1.07, extraLeadTimeWeeks: 1, note: 'new tariff tranche; port congestion adds a week' },
  'vietnam': { costIndex: 1.01, extraLeadTimeWeeks: 0, note: 'capacity expanding; prices flat' },
  'mexico': { costIndex: 0.99, extraLeadTimeWeeks: 0, note: 'nearshore freight cheaper this quarter' },
});
