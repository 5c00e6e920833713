/** The shape of the supply-chain agent's bundled data set (inventory, demand history, suppliers). */

export type Segment = 'consumer' | 'business' | 'education' | 'gaming' | 'workstation';
export type Region = 'taiwan' | 'mainland-china' | 'vietnam' | 'mexico';

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly segment: Segment;
  /** Units physically in the distribution centre today. */
  readonly onHand: number;
  /** Purchase orders already placed, by the week (from today) they arrive. */
  readonly onOrder: readonly { readonly units: number; readonly arrivesInWeeks: number }[];
  /** Units sold per week over the last weeks, oldest first. */
  readonly weeklyDemandHistory: readonly number[];
}

export interface SupplierOffer {
  readonly sku: string;
  /** Price per unit before the market's regional cost index, USD. */
  readonly unitCost: number;
  /** Units the supplier can ship per week for this SKU. */
  readonly weeklyCapacity: number;
}

export interface Supplier {
  readonly id: string;
  readonly name: string;
  readonly region: Region;
  /** Quoted lead time from order to arrival, weeks. */
  readonly leadTimeWeeks: number;
  /** Share of past orders that arrived on time (0..1). */
  readonly onTimeRate: number;
  readonly offers: readonly SupplierOffer[];
}

export interface SupplyChainDataSet {
  readonly name: string;
  readonly asOf: string;
  readonly products: readonly Product[];
  readonly suppliers: readonly Supplier[];
  /** Cost of one unit arriving late, as a share of its price (expected-value penalty). */
  readonly lateUnitPenaltyShare: number;
}
