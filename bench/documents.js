// A party of the benchmarks (agent server, resource, an issuer's published keys): JSON documents
// served by path on an ephemeral loopback port; `docsFor(id)` makes them once the identifier is known.
import http from 'node:http';
import { PROFILE, toJwks } from '@aauth-ts/core';

export function serveDocuments(docsFor) {
  return new Promise((resolve) => {
    let docs;
    const server = http.createServer((req, res) => {
      const doc = docs.get(req.url.split('?')[0]);
      res.setHeader('content-type', 'application/json');
      res.statusCode = doc ? 200 : 404;
      res.end(JSON.stringify(doc ?? { error: 'invalid_request' }));
    });
    server.listen(0, '127.0.0.1', () => {
      const id = `http://127.0.0.1:${server.address().port}`;
      docs = docsFor(id);
      resolve({ id, server });
    });
  });
}

/**
 * An auth server as a resource sees it: its metadata and JWKS under `/realms/bench`, the key
 * `key`'s public half published, so the resource can verify the auth tokens `key` signs.
 */
export async function serveIssuer(key) {
  const path = '/realms/bench';
  const { id, server } = await serveDocuments((origin) => {
    const issuer = `${origin}${path}`;
    return new Map([
      [`${path}/.well-known/${PROFILE.wellKnown.issuer}`, { issuer, token_endpoint: `${issuer}/t`, interaction_endpoint: `${issuer}/i`, jwks_uri: `${issuer}/certs` }],
      [`${path}/certs`, toJwks([key])],
    ]);
  });
  return { issuer: `${id}${path}`, server };
}
