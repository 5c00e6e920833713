/**
 * The scopes the demo's resources require; they must match the client scopes of
 * `keycloak-realm.json` (each scope's `aauth.resource` attribute names the resource offering it).
 */
export const SCOPES = Object.freeze({
  /** Offered by the supply-chain agent: compute a replenishment plan. */
  optimize: 'supply-chain:optimize',
  /** Offered by the market-analysis agent: read the market outlook. */
  marketRead: 'market-analysis:analyze',
  /**
   * Offered by the supply-chain agent: read which segments and regions its supply chain covers.
   * Taken only as a delegated token: the market-analysis agent's MCP tool asks for it on behalf of
   * its caller (RFC 8693 exchange).
   */
  catalogue: 'supply-chain:catalogue',
});
