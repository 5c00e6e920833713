/**
 * The bundled data set: a fictional laptop maker's distribution centre. Invented numbers, fixed so
 * that every run of the demo computes the same plan.
 */
import type { SupplyChainDataSet } from './types.js';

export const LAPTOP_SUPPLY_CHAIN: SupplyChainDataSet = {
  name: 'Laptop distribution centre (fictional)',
  asOf: '2026-03-02',
  lateUnitPenaltyShare: 0.3,
  products: [
    {
      sku: 'LT-AIR-13',
      name: 'Air 13" ultrabook',
      segment: 'consumer',
      onHand: 1840,
      onOrder: [{ units: 600, arrivesInWeeks: 2 }],
      weeklyDemandHistory: [410, 385, 440, 462, 398, 421, 455, 470],
    },
    {
      sku: 'LT-PRO-14',
      name: 'Pro 14" business laptop',
      segment: 'business',
      onHand: 2210,
      onOrder: [],
      weeklyDemandHistory: [520, 545, 510, 560, 575, 540, 590, 605],
    },
    {
      sku: 'LT-EDU-11',
      name: 'Edu 11" rugged notebook',
      segment: 'education',
      onHand: 950,
      onOrder: [{ units: 400, arrivesInWeeks: 5 }],
      weeklyDemandHistory: [150, 140, 165, 180, 210, 240, 265, 290],
    },
    {
      sku: 'LT-GAME-15',
      name: 'Strike 15" gaming laptop',
      segment: 'gaming',
      onHand: 780,
      onOrder: [{ units: 300, arrivesInWeeks: 1 }],
      weeklyDemandHistory: [130, 155, 120, 170, 145, 160, 138, 150],
    },
    {
      sku: 'LT-WS-16',
      name: 'Studio 16" mobile workstation',
      segment: 'workstation',
      onHand: 420,
      onOrder: [],
      weeklyDemandHistory: [62, 58, 71, 66, 60, 74, 69, 72],
    },
  ],
  suppliers: [
    {
      id: 'sup-hsinchu',
      name: 'Hsinchu Precision Assembly',
      region: 'taiwan',
      leadTimeWeeks: 4,
      onTimeRate: 0.97,
      offers: [
        { sku: 'LT-AIR-13', unitCost: 612, weeklyCapacity: 220 },
        { sku: 'LT-PRO-14', unitCost: 745, weeklyCapacity: 260 },
        { sku: 'LT-WS-16', unitCost: 1390, weeklyCapacity: 60 },
      ],
    },
    {
      id: 'sup-shenzhen',
      name: 'Shenzhen Volume Manufacturing',
      region: 'mainland-china',
      leadTimeWeeks: 5,
      onTimeRate: 0.9,
      offers: [
        { sku: 'LT-AIR-13', unitCost: 575, weeklyCapacity: 300 },
        { sku: 'LT-PRO-14', unitCost: 702, weeklyCapacity: 320 },
        { sku: 'LT-EDU-11', unitCost: 238, weeklyCapacity: 260 },
        { sku: 'LT-GAME-15', unitCost: 830, weeklyCapacity: 120 },
      ],
    },
    {
      id: 'sup-haiphong',
      name: 'Hai Phong Electronics',
      region: 'vietnam',
      leadTimeWeeks: 6,
      onTimeRate: 0.86,
      offers: [
        { sku: 'LT-EDU-11', unitCost: 221, weeklyCapacity: 180 },
        { sku: 'LT-GAME-15', unitCost: 805, weeklyCapacity: 90 },
        { sku: 'LT-PRO-14', unitCost: 690, weeklyCapacity: 140 },
      ],
    },
    {
      id: 'sup-monterrey',
      name: 'Monterrey Nearshore Assembly',
      region: 'mexico',
      leadTimeWeeks: 2,
      onTimeRate: 0.95,
      offers: [
        { sku: 'LT-AIR-13', unitCost: 668, weeklyCapacity: 120 },
        { sku: 'LT-EDU-11', unitCost: 262, weeklyCapacity: 90 },
        { sku: 'LT-WS-16', unitCost: 1455, weeklyCapacity: 35 },
        { sku: 'LT-GAME-15', unitCost: 889, weeklyCapacity: 50 },
      ],
    },
  ],
};
