// A party of the benchmarks (agent server, resource): JSON documents served by path on an
// ephemeral loopback port; `docsFor(id)` makes them once the identifier is known.
import http from 'node:http';

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
