/**
 * @aauth-ts/resource — AAuth for a resource, in the 2026-03 profile and/or the current draft
 * (`profile: 'aauth-current'`): verify signed requests and the tokens they carry (agent, person
 * and auth tokens), challenge with `AAuth: require=…` / `AAuth-Requirement` and resource tokens, publish
 * `aauth-resource.json` and the JWKS, defer with `202` and serve pending URLs, and offer the
 * resource token endpoint. A framework-neutral core (`AAuthResource`, Node and Fetch
 * request adapters) under an express adapter (`aauth()`, `require…()`, `aauthErrorHandler()`).
 */
export { AAuthResource, accessDenied } from './resource.js';
export type { ResourceCacheStats } from './resource.js';
export type { ResourceOptions, ReplayOptions, TokenCacheOptions, ResolvedOptions } from './options.js';
export type { AAuthContext, AAuthScheme, Delegation } from './context.js';
export type { Requirement, SignatureRequirementOptions, AuthRequirementOptions, DelegatedRouteOptions, DelegatedRequirement } from './requirement.js';
export { signatureRequirement, identityRequirement, personRequirement, authRequirement } from './requirement.js';
export { DeferralStore } from './deferral-store.js';
export type { DeferOptions, Deferral, FinalResponse, ResourceAnswer, DeferralStoreOptions } from './deferral-store.js';
export { answerResourceTokenRequest } from './resource-token-endpoint.js';

export { fromNodeRequest, readBody, hasBody } from './neutral/node-request.js';
export type { NodeRequestOptions } from './neutral/node-request.js';
export { fromFetchRequest } from './neutral/fetch-request.js';

export { aauth, requireSignature, requireIdentity, requirePerson, requireAuth } from './express/middleware.js';
export type { AAuthMiddleware, ExpressOptions } from './express/middleware.js';
export { aauthErrorHandler } from './express/error-handler.js';
export type { ErrorHandlerOptions } from './express/error-handler.js';
export { resourceMetadataHandler, jwksHandler } from './express/metadata.js';
export { captureRawBody } from './express/raw-body.js';
export { sendAnswer } from './express/send-answer.js';
export type { AAuthRequest } from './express/types.js';
