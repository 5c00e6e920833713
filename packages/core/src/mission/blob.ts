/**
 * The mission blob (draft-hardt-oauth-aauth-protocol §Mission Approval, §Mission Identifier): the
 * PS returns the exact bytes it persisted, base64url without padding, as `mission`, and their
 * digest as `s256` = base64url(SHA-256(bytes)), unpadded. The digest is over the decoded bytes,
 * never over a re-serialisation of the JSON, so this module never re-encodes a blob it was given.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { MalformedError } from '../errors.js';
import { isAgentIdentifier, isServerIdentifier, type IdentifierPolicy } from '../identifiers.js';
import { AAUTH_CURRENT } from '../profile/index.js';

export interface MissionTool {
  readonly name: string;
  readonly description: string;
}

/** §Mission Approval: the members a blob MUST and MAY carry; others are kept and ignored. */
export interface MissionBlob {
  readonly approver: string;
  readonly agent: string;
  readonly approved_at: string;
  readonly description: string;
  readonly expires_at?: string;
  readonly approved_tools?: readonly MissionTool[];
  readonly approved_resources?: readonly string[];
  readonly [member: string]: unknown;
}

export interface DecodedMission {
  /** The exact bytes the PS persisted. */
  readonly bytes: Buffer;
  readonly blob: MissionBlob;
  /** base64url(SHA-256(bytes)), unpadded. */
  readonly s256: string;
}

export interface EncodedMission {
  readonly mission: string;
  readonly s256: string;
  readonly bytes: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** A SHA-256 digest is 32 bytes: 43 base64url symbols, the last carrying 4 bits (so one of 16). */
const S256 = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
/** ISO 8601 / RFC 3339 date-time, UTC or with an offset. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function fail(message: string, raw: string | undefined, field?: string): MalformedError {
  return new MalformedError('invalid_request', message, raw, { reason: 'invalid_mission', ...(field === undefined ? {} : { field }) });
}

/** base64url(SHA-256(bytes)), unpadded: a mission's identifier (§Mission Identifier). */
export function missionS256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}

/** Whether `value` has the form of an `s256` / `mission_s256` (43 canonical base64url symbols). */
export function isS256(value: unknown): value is string {
  return typeof value === 'string' && S256.test(value);
}

/** Strict base64url without padding: only the URL-safe alphabet, canonical trailing bits. */
export function decodeBase64url(value: string): Buffer {
  if (!BASE64URL.test(value) || value.length % 4 === 1) throw fail('not unpadded base64url', value);
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.toString('base64url') !== value) throw fail('not canonical base64url', value);
  return bytes;
}

function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

/** Check the members §Mission Approval defines; unknown members are left alone. */
export function validateMissionBlob(json: unknown, policy: IdentifierPolicy = {}): MissionBlob {
  const m = AAUTH_CURRENT.missionBlob;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw fail('the mission blob is not a JSON object', undefined);
  const blob = json as Record<string, unknown>;
  if (typeof blob[m.approver] !== 'string' || !isServerIdentifier(blob[m.approver] as string, policy)) throw fail(`mission "${m.approver}" is not a server identifier`, undefined, m.approver);
  if (!isAgentIdentifier(blob[m.agent], policy)) throw fail(`mission "${m.agent}" is not an agent identifier`, undefined, m.agent);
  if (!isDateTime(blob[m.approvedAt])) throw fail(`mission "${m.approvedAt}" is not an ISO 8601 date-time`, undefined, m.approvedAt);
  if (typeof blob[m.description] !== 'string') throw fail(`mission "${m.description}" is not a string`, undefined, m.description);
  if (blob[m.expiresAt] !== undefined && !isDateTime(blob[m.expiresAt])) throw fail(`mission "${m.expiresAt}" is not an ISO 8601 date-time`, undefined, m.expiresAt);
  const tools = blob[m.approvedTools];
  if (tools !== undefined && !(Array.isArray(tools) && tools.every((t) => typeof t === 'object' && t !== null && typeof (t as MissionTool).name === 'string' && typeof (t as MissionTool).description === 'string'))) {
    throw fail(`mission "${m.approvedTools}" is not an array of {name, description}`, undefined, m.approvedTools);
  }
  const resources = blob[m.approvedResources];
  if (resources !== undefined && !(Array.isArray(resources) && resources.every((r) => typeof r === 'string' && isServerIdentifier(r, policy)))) {
    throw fail(`mission "${m.approvedResources}" is not an array of server identifiers`, undefined, m.approvedResources);
  }
  return blob as MissionBlob;
}

/** Decode a `mission` member: base64url → bytes (kept) → UTF-8 JSON → checked blob, with its `s256`. */
export function decodeMission(mission: string, policy: IdentifierPolicy = {}): DecodedMission {
  if (typeof mission !== 'string' || mission.length === 0) throw fail('the mission is empty', undefined);
  const bytes = decodeBase64url(mission);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new MalformedError('invalid_request', 'the mission does not decode to UTF-8 JSON', mission, { reason: 'invalid_mission', cause });
  }
  return { bytes, blob: validateMissionBlob(json, policy), s256: missionS256(bytes) };
}

/**
 * §Mission Approval: the agent's check that `s256` is the digest of the bytes `mission` decodes to.
 * A mismatch is a `MalformedError` with reason `mission_s256_mismatch`.
 */
export function verifyMission(mission: string, s256: string, policy: IdentifierPolicy = {}): DecodedMission {
  if (!isS256(s256)) throw new MalformedError('invalid_request', 'the mission "s256" is not a base64url SHA-256 digest', s256, { reason: 'invalid_mission', field: AAUTH_CURRENT.missionResponse.s256 });
  const decoded = decodeMission(mission, policy);
  if (!timingSafeEqual(Buffer.from(decoded.s256), Buffer.from(s256))) {
    throw new MalformedError('invalid_request', 'the mission "s256" is not the SHA-256 of the mission bytes', s256, { reason: 'mission_s256_mismatch', expected: decoded.s256, actual: s256 });
  }
  return decoded;
}

/**
 * The PS side: persist these `bytes`, return `mission` and `s256` (§Mission Identifier). A blob
 * object is serialised once, here; the bytes are what the digest covers from then on.
 */
export function encodeMission(blob: MissionBlob | Uint8Array, policy: IdentifierPolicy = {}): EncodedMission {
  const bytes = blob instanceof Uint8Array ? Buffer.from(blob) : Buffer.from(JSON.stringify(validateMissionBlob(blob, policy)), 'utf8');
  if (blob instanceof Uint8Array) decodeMission(bytes.toString('base64url'), policy);
  return { mission: bytes.toString('base64url'), s256: missionS256(bytes), bytes };
}
