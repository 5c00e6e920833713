#!/usr/bin/env node
/**
 * Standalone embedded auth server:
 *   aauth-auth-server --realm keycloak-realm.json [--port 8080] [--host 127.0.0.1]
 *                     [--origin http://localhost:8080] [--key-file realm-keys.json]
 */
import { parseArgs } from 'node:util';
import { createAuthServer } from '../server.js';
import { RealmConfigError } from '../realm/errors.js';

const USAGE = 'usage: aauth-auth-server --realm <realm.json> [--port 8080] [--host 127.0.0.1] [--origin http://localhost:8080] [--key-file <keys.json>]';

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
  const server = createAuthServer({
    realm: values.realm,
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
