/**
 * An agent's files in one directory, as `aauth keygen` writes them and `serve-agent` and `request`
 * read them:
 *   agent-key.json    the private signing keys, current first ({"keys": [private JWK…]}, mode 0600);
 *   aauth-agent.json  the agent metadata (2026-03 §Agent Metadata), served at /.well-known/aauth-agent.json;
 *   jwks.json         the public keys, served at the metadata's jwks_uri.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentServer } from '@aauth-ts/agent';
import { PROFILE, exportPrivateJwk, importSigningKey, type AgentMetadata, type PrivateJwk, type SigningKey } from '@aauth-ts/core';
import { CliError } from '../errors.js';

export const AGENT_FILES = Object.freeze({
  key: 'agent-key.json',
  metadata: PROFILE.wellKnown.agent,
  jwks: 'jwks.json',
});

export interface AgentFiles {
  readonly dir: string;
  readonly metadata: AgentMetadata;
  readonly keys: readonly SigningKey[];
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new CliError('agent_files_missing', `cannot read ${path}: ${(cause as Error).message} (make it with: aauth keygen --agent <url> --out <dir>)`);
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CliError('agent_files_invalid', `${path} is not JSON: ${(cause as Error).message}`);
  }
}

export function readAgentFiles(dir: string): AgentFiles {
  const metadata = readJson(join(dir, AGENT_FILES.metadata)) as Partial<AgentMetadata> | null;
  if (typeof metadata !== 'object' || metadata === null || typeof metadata.agent !== 'string') {
    throw new CliError('agent_files_invalid', `${join(dir, AGENT_FILES.metadata)} has no "agent" identifier`);
  }
  const keyFile = readJson(join(dir, AGENT_FILES.key)) as { keys?: unknown } | null;
  const jwks = typeof keyFile === 'object' && keyFile !== null && Array.isArray(keyFile.keys) ? keyFile.keys : [];
  if (jwks.length === 0) throw new CliError('agent_files_invalid', `${join(dir, AGENT_FILES.key)} holds no keys ({"keys": [private JWK…]})`);
  const keys = jwks.map((jwk, i) => {
    try {
      return importSigningKey(jwk as PrivateJwk);
    } catch (cause) {
      throw new CliError('agent_files_invalid', `${join(dir, AGENT_FILES.key)} keys[${i}] is not a private signing key: ${(cause as Error).message}`);
    }
  });
  return { dir, metadata: metadata as AgentMetadata, keys };
}

/** The agent server these files describe (not listening: `router()` serves its documents). */
export function agentServerFrom(files: AgentFiles, development: boolean): AgentServer {
  const { agent, jwks_uri: jwksUri, ...rest } = files.metadata;
  const jwksUrl = new URL(jwksUri);
  if (jwksUrl.origin !== new URL(agent).origin) {
    throw new CliError('agent_files_invalid', `jwks_uri ${jwksUri} is not on the agent's origin ${agent}: serve-agent hosts only its own origin`);
  }
  try {
    return new AgentServer({ identifier: agent, keys: files.keys, metadata: rest, jwksPath: jwksUrl.pathname, development });
  } catch (cause) {
    throw new CliError('agent_identifier', `${(cause as Error).message}`);
  }
}

export interface WrittenFiles { readonly key: string; readonly metadata: string; readonly jwks: string }

export function writeAgentFiles(dir: string, server: AgentServer, force: boolean): WrittenFiles {
  const paths = { key: join(dir, AGENT_FILES.key), metadata: join(dir, AGENT_FILES.metadata), jwks: join(dir, AGENT_FILES.jwks) };
  if (!force) {
    const existing = Object.values(paths).filter((p) => existsSync(p));
    if (existing.length > 0) throw new CliError('agent_files_exist', `${existing.join(', ')} already exist: a new key would replace the agent's identity (use --force to overwrite)`);
  }
  // The private key first, created owner-only, so it never exists readable by others.
  writeFileSync(paths.key, `${JSON.stringify({ keys: server.keys.map((k) => exportPrivateJwk(k)) }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(paths.key, 0o600);
  writeFileSync(paths.metadata, `${JSON.stringify(server.metadata(), null, 2)}\n`);
  writeFileSync(paths.jwks, `${JSON.stringify(server.jwks(), null, 2)}\n`);
  return paths;
}
