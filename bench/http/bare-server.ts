// The baseline: node:http answering a fixed JSON document, nothing else. Prints its URL, then serves until killed.
import http from 'node:http';

const body = JSON.stringify({ id: 'a4b1c2d3-0000-4000-8000-000000000000', state: 'queued', links: [] });
const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
