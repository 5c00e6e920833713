/**
 * @aauth-ts/agent — the calling side of AAuth (2026-03 profile, draft-hardt-aauth @ c465b2d; and,
 * with `profile: 'aauth-current'`, draft-hardt-oauth-aauth-protocol: person tokens, auth tokens from
 * the Person Server, missions and sub-agents):
 * agent identity (agent server, delegates, agent tokens), signed requests, challenge answering,
 * token exchange with 202 polling, deferred (202) responses from resources, the resource token
 * endpoint, a token cache with single flight and refresh, call chaining, and adapters for `fetch`
 * and axios.
 */
export { AgentServer } from './identity/agent-server.js';
export type { AgentServerOptions, IssueAgentTokenOptions, NodeHandler } from './identity/agent-server.js';
export { AgentSession } from './identity/agent-session.js';
export type { AgentSessionOptions, AgentTokenProvider, DelegateOptions, IdentityScheme, RequestSigner } from './identity/agent-session.js';

export { AAuthClient } from './client/aauth-client.js';
export type { AAuthClientOptions, Credential } from './client/aauth-client.js';
export type { Mission, MissionProposal, ParentMediator } from './client/current-authorizer.js';
export type { ChallengeAnswerer, ChallengeContext, DeferredContext } from './fetch/challenge-answerer.js';
export { aauthFetch, isDeferral } from './fetch/aauth-fetch.js';
export type { AAuthRequestInit, AAuthRequestOptions } from './fetch/aauth-fetch.js';
export { withAAuth, attachAAuth } from './axios/with-aauth.js';
export type { AAuthAttachment, AAuthAxiosOptions, WithAAuthOptions } from './axios/with-aauth.js';

export { tokenRequest, modeOf } from './token-endpoint/token-request.js';
export type { TokenRequestParameters, TokenEndpointCallOptions } from './token-endpoint/token-request.js';
export { processTokenResponse, parseRetryAfter } from './token-endpoint/process-token-response.js';
export type { ProcessTokenResponseOptions, TokenResult } from './token-endpoint/process-token-response.js';
export { pollPending } from './token-endpoint/poll-pending.js';
export { awaitPending, awaitDeferred, interactionUrl } from './token-endpoint/await-pending.js';
export { processPsResponse } from './person-server/ps-response.js';
export type { PsResult, ProcessPsResponseOptions } from './person-server/ps-response.js';
export type { AwaitPendingOptions, Interaction, InteractionCallback, InteractionHandler, Pending } from './token-endpoint/await-pending.js';
export { resourceTokenRequest, processResourceTokenResponse } from './resource-token/resource-token-request.js';
export type { ResourceTokenResult } from './resource-token/resource-token-request.js';

export { readChallenge, verifyAuthTokenChallenge } from './challenge/verify-challenge.js';
export type { AuthTokenChallenge, VerifyChallengeOptions } from './challenge/verify-challenge.js';
export { TokenCache, tokenKey, upstreamHash } from './cache/token-cache.js';
export type { CachedToken, TokenKeyParts } from './cache/token-cache.js';
export { signOutgoing } from './signing/sign-outgoing.js';
export type { OutgoingRequest } from './signing/sign-outgoing.js';
export { createTransport, needsLoopbackMapping } from './transport/transport.js';
export type { FetchLike, Transport, TransportOptions } from './transport/transport.js';
export type { TransportRequest } from './transport/transport-request.js';
export { loopbackLookup } from './transport/loopback-request.js';

export { PendingTimeoutError, PendingEndedError, PendingDeniedError, PendingAbandonedError, PendingExpiredError, InvalidInteractionCodeError } from './errors.js';
export type { PendingEnd } from './errors.js';
export type { AAuthEvent, EventSink, TokenRequestMode } from './events.js';

export { InteractionChain } from './chain/interaction-chain.js';
export type { ChainedHandler, ChainedResponse, ChainRequest, InteractionChainOptions } from './chain/interaction-chain.js';
export { InteractionChainError } from './chain/chain-errors.js';
export type { InteractionChainFailure } from './chain/chain-errors.js';
export type { InteractionRoute } from './person-server/person-server.js';
