/**
 * The supply-chain agent's catalogue: which laptop segments and sourcing regions its supply chain
 * covers. It is the downstream API of the market-analysis agent's MCP tool, and takes only
 * delegated tokens (RFC 8693, `requireAuth({ delegated: { only: true } })`): the tool calls it on
 * behalf of its own caller, so the token names the user (or agent) it all began with as `sub` and
 * every hop in `act`. The answer says what chain the SCA saw, for the caller to show.
 */
import { Router } from 'express';
import { AAUTH_CURRENT } from '@aauth-ts/core';
import type { AAuthMiddleware, AAuthRequest, Delegation } from '@aauth-ts/resource';
import type { DemoConfig } from '../../common/src/config.js';
import { ACTORS } from '../../common/src/parties.js';
import { SCOPES } from '../../common/src/scopes.js';
import type { StoryLogger } from '../../common/src/story-log.js';
import type { SupplyChainDataSet } from './data/types.js';
import { marketQuestionFor } from './optimize-plan.js';

export const CATALOGUE_PATH = '/catalogue';

export interface CatalogueAnswer {
  readonly catalogue: { readonly segments: readonly string[]; readonly regions: readonly string[] };
  /** The delegated token's subject and chain as the SCA verified them. */
  readonly delegation: Delegation;
}

/** `GET /catalogue` (2026-03 profile: delegated tokens come from its auth server's exchange endpoint). */
export function catalogueRouter(options: { config: DemoConfig; guard: AAuthMiddleware; data: SupplyChainDataSet; logger?: StoryLogger }): Router {
  const { config, guard, data, logger } = options;
  const router = Router();
  if (config.profile === AAUTH_CURRENT.name) return router;
  router.get(CATALOGUE_PATH, guard.requireAuth({ scope: SCOPES.catalogue, delegated: { only: true } }), (req, res) => {
    const { delegation } = (req as AAuthRequest).aauth;
    if (delegation === undefined) throw new Error('requireAuth({ delegated: { only: true } }) passed without a delegation');
    logger?.info('served the catalogue for a delegated caller', { actor: ACTORS.supplyChain, sub: delegation.subject, act: delegation.act.join(' <- ') });
    const answer: CatalogueAnswer = { catalogue: marketQuestionFor(data), delegation };
    res.json(answer);
  });
  return router;
}
