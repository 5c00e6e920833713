/**
 * The demo's A2A payloads: a skill's input and output travel as one JSON data part of an A2A
 * message (A2A v1.0 §Part, `data`), and the request names the skill in its metadata, since A2A
 * itself has no field for it.
 */
import { randomUUID } from 'node:crypto';
import { Role, type Message } from '@a2a-js/sdk';

/** `SendMessageRequest.metadata` member naming the skill the message is for. */
export const SKILL_METADATA_KEY = 'skill';
const JSON_MEDIA_TYPE = 'application/json';

/** A message whose one part carries `data` as JSON. */
export function dataMessage(role: Role, data: unknown, contextId = ''): Message {
  return {
    messageId: randomUUID(),
    contextId,
    taskId: '',
    role,
    parts: [{ content: { $case: 'data', value: data }, metadata: undefined, filename: '', mediaType: JSON_MEDIA_TYPE }],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** The first data part of a message, or `undefined` when it has none. */
export function dataOf(message: Message | undefined): unknown {
  const part = message?.parts.find((p) => p.content?.$case === 'data');
  return part?.content?.$case === 'data' ? (part.content.value as unknown) : undefined;
}

export { Role };
