#!/usr/bin/env node
/**
 * Standalone embedded auth server:
 *   aauth-auth-server --realm keycloak-realm.json [--port 8080] [--host 127.0.0.1]
 *                     [--origin http://localhost:8080] [--key-file realm-keys.json]
 * With `AAUTH_REDIS_URL` (`redis://host:port`) used `jti`s, pending requests, the login throttle and
 * a Person Server realm's state live in that Redis (needs `@aauth-ts/store-redis` and `ioredis`
 * installed), so several instances serve one realm; they share `--key-file`. With
 * `AAUTH_CACHE_SECRET` too (at least 32 bytes, the same on every instance), fetched agent and
 * resource documents are shared through that Redis as well, MAC'd under it.
 */
import { parseArgs } from 'node:util';
import type { SharedStore } from '@aauth-ts/core';
import { createAuthServer } from '../server.js';
import { RealmConfigError } from '../realm/errors.js';

const USAGE = 'usage: aauth-auth-server --realm <realm.json> [--port 8080] [--host 127.0.0.1] [--origin http://localhost:8080] [--key-file <keys.json>]';

/** The shared store named by `AAUTH_REDIS_URL`, loaded only when asked for (an optional peer). */
async function sharedStore(url: string | undefined): Promise<SharedStore | undefined> {
  if (url === undefined || url === '') return undefined;
  let module: typeof import('@aauth-ts/store-redis');
  try {
    module = await import('@aauth-ts/store-redis');
  } catch (cause) {
    throw new Error('AAUTH_REDIS_URL is set, but @aauth-ts/store-redis is not installed (npm install @aauth-ts/store-redis ioredis)', { cause });
  }
  return module.RedisStore.connect(url);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      realm: { type: 'string' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      origin: { type: 'string' },
      'key-file': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.realm) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`--port must be a port number, got ${values.port}`);
  const store = await sharedStore(process.env.AAUTH_REDIS_URL);
  const server = createAuthServer({
    realm: values.realm,
    ...(store === undefined ? {} : { store }),
    ...(store === undefined || !process.env.AAUTH_CACHE_SECRET ? {} : { sharedCache: { store, secret: process.env.AAUTH_CACHE_SECRET } }),
    origin: values.origin ?? `http://localhost:${port}`,
    ...(values['key-file'] ? { keyFile: values['key-file'] } : {}),
  });
  const { issuer } = await server.listen(port, values.host);
  console.log(`AAuth auth server for realm ${server.realm.name}: ${issuer}`);
  const stop = (): void => {
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof RealmConfigError ? `realm file error: ${err.message}` : err);
  process.exit(1);
});
