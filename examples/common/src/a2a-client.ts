/**
 * The calling side of the demo's A2A hop: find an agent by its card, then send a skill's input as
 * an A2A message with the SDK's client (`ClientFactory` + JSON-RPC transport) whose `fetch` is the
 * AAuth client's, so every A2A request is signed and an AAuth challenge is answered on the way.
 */
import { AgentCard, type Message } from '@a2a-js/sdk';
import { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import type { GuardedFetcher } from '@aauth-ts/core';
import { A2A_CARD_PATH } from './a2a-card.js';
import { Role, SKILL_METADATA_KEY, dataMessage, dataOf } from './a2a-message.js';

/** The fetch the SDK's transport calls: the AAuth client's, for one request being served. */
export type A2AFetch = (url: string, init?: RequestInit) => Promise<Response>;

/** An A2A answer the caller cannot use (a task, or no data part where a message was expected). */
export class A2AAnswerError extends Error {
  override readonly name = 'A2AAnswerError';
  readonly code = 'server_error';
}

/**
 * The agent card published at `identifier` (A2A §Agent Discovery, well-known URI), fetched through
 * the caller's guarded fetcher (address checks, size limit, cache) and parsed into the SDK's type.
 */
export async function discoverAgentCard(fetcher: GuardedFetcher, identifier: string): Promise<AgentCard> {
  return AgentCard.fromJSON(await fetcher.getJson(`${identifier}${A2A_CARD_PATH}`));
}

/** Send `data` to `skill` of the agent `card` describes; resolves to the data of its answer. */
export async function callSkill(input: { card: AgentCard; fetch: A2AFetch; skill: string; data: unknown }): Promise<unknown> {
  const fetchImpl: typeof fetch = (url, init) => input.fetch(url instanceof Request ? url.url : String(url), init);
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { transports: [new JsonRpcTransportFactory({ fetchImpl })] }));
  const client = await factory.createFromAgentCard(input.card);
  const answer = await client.sendMessage({ tenant: '', message: dataMessage(Role.ROLE_USER, input.data), configuration: undefined, metadata: { [SKILL_METADATA_KEY]: input.skill } });
  if (!isMessage(answer)) throw new A2AAnswerError(`the agent answered the ${input.skill} call with a task (state ${answer.status?.state ?? 'unknown'}), not a message`);
  const data = dataOf(answer);
  if (data === undefined) throw new A2AAnswerError(`the agent's answer to the ${input.skill} call has no data part`);
  return data;
}

function isMessage(answer: Message | { status?: { state?: unknown } }): answer is Message {
  return 'messageId' in answer && 'role' in answer;
}
