/**
 * @aauth-ts/core — the AAuth wire format and crypto (2026-03 profile): RFC 9421 request signatures
 * with `Signature-Key`, RFC 9530 `Content-Digest`, RFC 7638 thumbprints, the three token types,
 * the `AAuth` challenge, metadata documents and a guarded metadata/JWKS fetcher. No express, no axios.
 */
export { AAUTH_2026_03, AAUTH_CURRENT, PROFILE, PROFILE_NAMES, profileByName, isProfileName, statusOf } from './profile/index.js';
export type {
  Profile, WireErrorCode, RequireValue, TokenKind, ProfileName, AnyProfile, CurrentProfile, CurrentErrorCode, SignatureErrorCode,
  RequirementValue, CurrentTokenKind, CurrentMetadataDocument, CurrentAlgorithm, Capability, AccessMode, TerminationReason,
} from './profile/index.js';

export { AAuthError, SignatureError, TokenError, MalformedError, UnsupportedRequirementError, FetchError, ResponseError, isAAuthError, fetchDiagnostic, keyUnavailableMessage } from './errors.js';
export type { AnyAAuthError, ErrorDetail, FetchFailure } from './errors.js';

export { isServerIdentifier, isLoopbackHost, wellKnownUrl, parseAgentIdentifier, isAgentIdentifier, formatAgentIdentifier, subAgentIdentifier } from './identifiers.js';
export type { IdentifierPolicy, AgentIdentifier } from './identifiers.js';

export type { PublicJwk, PrivateJwk, JwkSet, JwsAlgorithm, HttpSignatureAlgorithm, SigningKey } from './jwk/types.js';
export { jwkThumbprint, thumbprintInput } from './jwk/thumbprint.js';
export { generateSigningKey, importSigningKey, exportPrivateJwk, importPublicJwk, toPublicJwk, jwsAlgorithmFor, httpAlgorithmFor } from './jwk/keys.js';
export type { KeyType } from './jwk/keys.js';
export { toJwks } from './jwk/key-set.js';

export { createContentDigest, verifyContentDigest } from './digest/content-digest.js';
export type { DigestAlgorithm } from './digest/content-digest.js';

export type { SignatureKey, SignatureKeyScheme, HwkSignatureKey, JwksUriSignatureKey, JwtSignatureKey, X509SignatureKey } from './signature-key/types.js';
export { SIGNATURE_KEY_SCHEMES } from './signature-key/types.js';
export { parseSignatureKey, parseSignatureKeys, signatureKeysOf } from './signature-key/parse.js';
export { serializeSignatureKey } from './signature-key/serialize.js';
export { requireAgentDocument } from './signature-key/agent-document.js';

export type { SignableRequest } from './httpsig/types.js';
export type { HeadersLike } from './lib/headers.js';
export { getHeader } from './lib/headers.js';
export { extend } from './lib/extend.js';
export { isThenable } from './lib/thenable.js';
export { escapeHtml } from './lib/html.js';
export { Waiters } from './lib/waiters.js';
export { signRequest, componentsFor } from './httpsig/sign.js';
export type { SignRequestOptions, SignatureKeyInput, SignedHeaders } from './httpsig/sign.js';
export { verifyRequest, verifyRequestNow, missingComponents, DEFAULT_SIGNATURE_WINDOW } from './httpsig/verify.js';
export { COMPONENT_POLICIES, STRICT_COMPONENTS, componentApplies, isComponentPolicy, publishedComponents, readComponentList, requiredComponentsFor } from './httpsig/components.js';
export type { ComponentPolicy } from './httpsig/components.js';
export type { VerifyRequestOptions, VerifiedRequest, ResolvedKey, KeyResolver } from './httpsig/verify.js';
export { buildSignatureBase } from './httpsig/signature-base.js';
export { ReplayCache } from './httpsig/replay-cache.js';
export type { ReplayCacheOptions, ReplayVerdict } from './httpsig/replay-cache.js';

export type { AgentTokenClaims, ResourceTokenClaims, AuthTokenClaims, IssuerKeySource, TimeOptions } from './tokens/types.js';
export type { RegisteredClaims } from './tokens/registered-claims.js';
export { ACCEPTED_JWS_ALGORITHMS, peekClaims, peekTyp } from './tokens/jwt.js';
export { createAgentToken, verifyAgentToken } from './tokens/agent-token.js';
export type { CreateAgentTokenInput, VerifyAgentTokenOptions } from './tokens/agent-token.js';
export { createResourceToken, verifyResourceToken } from './tokens/resource-token.js';
export type { CreateResourceTokenInput, VerifyResourceTokenOptions } from './tokens/resource-token.js';
export { createAuthToken, verifyAuthToken } from './tokens/auth-token.js';
export type { CreateAuthTokenInput, VerifyAuthTokenOptions } from './tokens/auth-token.js';

export { formatPreferWait, parsePreferWait } from './deferred/prefer-wait.js';

export type { Challenge } from './challenge/types.js';
export { parseChallenge } from './challenge/parse.js';
export { serializeChallenge } from './challenge/serialize.js';

export type { AgentMetadata, ResourceMetadata, IssuerMetadata, MetadataDocument } from './metadata/types.js';
export type { CurrentCommonMetadata, CurrentAgentMetadata, PersonServerMetadata, AccessServerMetadata, CurrentResourceMetadata, CurrentMetadata } from './metadata/types.js';
export { validateMetadata, validateCurrentMetadata } from './metadata/validate.js';

export { GuardedFetcher } from './fetcher/guarded-fetcher.js';
export type { FetcherOptions, FetcherStats } from './fetcher/guarded-fetcher.js';
export { BoundedCache } from './lib/bounded-cache.js';
export { StoreUnavailableError, guardStoreCall, isSharedStore, STORE_RETRY_AFTER_SECONDS } from './store/shared-store.js';
export type { SharedStore } from './store/shared-store.js';
export { SharedCache, SHARED_CACHE_MIN_SECRET_BYTES, checkSharedCacheOptions } from './store/shared-cache.js';
export type { SharedCacheOptions } from './store/shared-cache.js';
export { MemoryStore } from './store/memory-store.js';
export type { MemoryStoreOptions } from './store/memory-store.js';
export type { BoundedCacheLimits } from './lib/bounded-cache.js';
export { isAddressAllowed, classifyAddress } from './fetcher/address-guard.js';
export type { AddressPolicy, AddressClass } from './fetcher/address-guard.js';
export { KeyDiscovery } from './fetcher/key-discovery.js';
export type { KeyDiscoveryOptions } from './fetcher/key-discovery.js';

export { TOKEN_EXCHANGE } from './profile/token-exchange.js';
export type { TokenRequestMembers } from './profile/token-request.js';
export { ACCEPT_SIGNATURE_ALGS } from './profile/accept-signature-algs.js';
export { nestAct, parseAct, actChain, mayActAllows, MAX_ACT_DEPTH } from './delegation/act.js';
export type { ActClaim } from './delegation/act.js';
export { realmChainPolicy, allChainPolicies, askChainPolicy, DEFAULT_MAX_CHAIN_DEPTH } from './policy/chain-policy.js';
export type { ChainPolicy, ChainPolicyInput, ChainPolicyDecision, RealmChainSettings } from './policy/chain-policy.js';
export { createDelegatedToken, verifyDelegatedToken } from './tokens/delegated-token.js';
export { verifyOidcAccessToken } from './tokens/oidc-access-token.js';
export type { JwksKeySource, OidcAccessTokenClaims, VerifyOidcAccessTokenOptions } from './tokens/oidc-access-token.js';
export type { DelegatedTokenClaims, CreateDelegatedTokenInput, VerifyDelegatedTokenOptions } from './tokens/delegated-token.js';

export { validateCertificateChain, MAX_CHAIN_LENGTH } from './x509/chain.js';
export type { CertificateChainOptions, CertifiedKey } from './x509/chain.js';
export { parseTrustAnchors } from './x509/pem.js';
export { X509CertificateVerifier } from './x509/verifier.js';
export type { X509VerifierOptions, X509Identity } from './x509/verifier.js';

export { consoleWarnLogger, logDecision, logsDecisions, refusalOf, isAAuthLogger } from './log/decision-log.js';
export type { AAuthLogger, Decision, DecisionOutcome, DecisionSubject } from './log/decision-log.js';

// The current profile (draft-hardt-oauth-aauth-protocol): aa-* tokens, AAuth-Requirement, problem+json, missions.
export { createAaAgentToken, verifyAaAgentToken } from './tokens/current/agent-token.js';
export type { AaAgentTokenClaims, CreateAaAgentTokenInput, VerifyAaAgentTokenOptions } from './tokens/current/agent-token.js';
export { createAaPersonToken, verifyAaPersonToken } from './tokens/current/person-token.js';
export type { AaPersonTokenClaims, CreateAaPersonTokenInput, VerifyAaPersonTokenOptions } from './tokens/current/person-token.js';
export { createAaResourceToken, verifyAaResourceToken, matchPersonTokenRecord } from './tokens/current/resource-token.js';
export type { AaResourceTokenClaims, CreateAaResourceTokenInput, VerifyAaResourceTokenOptions, PersonTokenRecord, ResourceInteraction } from './tokens/current/resource-token.js';
export { createAaAuthToken, verifyAaAuthToken } from './tokens/current/auth-token.js';
export type { AaAuthTokenClaims, CreateAaAuthTokenInput, VerifyAaAuthTokenOptions } from './tokens/current/auth-token.js';
export { confirmationJwk, currentAlgorithmFor } from './tokens/current/common.js';
export type { CurrentVerifyOptions } from './tokens/current/common.js';

export { parseRequirement, serializeRequirement, requirementStatus, isRequirementValue, RequirementError, normalizeInteractionCode, isInteractionCode, generateInteractionCode, isInteractionUrl } from './requirement/requirement.js';
export type { Requirement, RequirementFailure } from './requirement/requirement.js';
export { parseCapabilities, serializeCapabilities } from './requirement/capabilities.js';

export { problemBody, problemResponse, problemFor, parseProblem, missionTerminatedProblem, SignatureRejection } from './problem/problem.js';
export type { ProblemDetails, ProblemResponse } from './problem/problem.js';
export { serializeSignatureError, parseSignatureError, isSignatureErrorCode, serializeTokenList, parseTokenList, signatureRejection, schemeRejection, signatureErrorForToken } from './problem/signature-error.js';
export type { SignatureErrorHeader, SignatureRejectionOptions } from './problem/signature-error.js';

export { encodeMission, decodeMission, verifyMission, validateMissionBlob, missionS256, isS256, decodeBase64url } from './mission/blob.js';
export type { MissionBlob, MissionTool, DecodedMission, EncodedMission } from './mission/blob.js';
