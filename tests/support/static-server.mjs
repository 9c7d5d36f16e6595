// A tiny static file server for the browser tests: 127.0.0.1, a free port, the content types
// browsers insist on (text/javascript for modules, application/wasm for compileStreaming), and
// a log of the paths asked for.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css',
};

/**
 * @param {Record<string, string>} mounts URL prefix ('/pkg/') -> directory
 * @param {{ deny?: string[], headers?: Record<string, string> }} [options] deny: paths answered
 *   with 404 even when the file exists; headers: sent with every file (the index bench's page
 *   asks for cross-origin isolation, so that performance.now() resolves microseconds)
 */
export async function serveStatic(mounts, { deny = [], headers = {} } = {}) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    requests.push(pathname);
    // the longest matching prefix wins
    const prefix = Object.keys(mounts).filter((p) => pathname.startsWith(p)).sort((a, b) => b.length - a.length)[0];
    if (prefix !== undefined && !deny.includes(pathname)) {
      const dir = path.resolve(mounts[prefix]);
      const file = path.join(dir, decodeURIComponent(pathname.slice(prefix.length)));
      if (file.startsWith(dir + path.sep)) {
        try {
          const body = await readFile(file);
          res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
          return res.end(body);
        } catch {}
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
