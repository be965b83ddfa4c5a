/**
 * The baseline: a bare Bun.serve on loopback that answers every request with the same 200 and a
 * two-byte body, whatever the method, path or body. It shows what this machine and Bun's HTTP
 * server can do with no application work at all.
 */
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch: () => new Response('ok'),
});

console.log(`baseline listening on http://127.0.0.1:${server.port}`);

const stop = () => {
  server.stop(true);
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
export {};
