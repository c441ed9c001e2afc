import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ProofmarkError, toErrorInfo, type MediaKind } from '../contract/index.ts';
import { CallHost } from '../core/host.ts';
import type { Core } from '../core/index.ts';

/**
 * Localhost-only HTTP bridge so the real renderer can run in a browser (end-to-end tests).
 * Listens on 127.0.0.1 only, checks the Host header (no DNS rebinding), and every API and media
 * request must carry the random per-run token.
 *
 *   POST /api/call    {method, input, callId} → NDJSON: {"progress":…}* then {"result": envelope}
 *   POST /api/cancel  {callId}
 *   POST /api/upload?name=…  raw bytes of a dropped file → {"path"} (browsers have no file paths)
 *   GET  /media/<thumb|original|file>/<ref>?token=…
 *   GET  /…           the built renderer (static files)
 */
export interface BridgeOptions {
  core: Core;
  rendererDir: string;
  port?: number;
  token?: string;
  uploadDir: string;
}

export interface Bridge {
  url: string;
  token: string;
  /** URL that opens the renderer wired to this bridge. */
  appUrl: string;
  close(): Promise<void>;
}

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json', '.ico': 'image/x-icon',
};
const MAX_JSON_BYTES = 10 * 1024 * 1024;
const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ProofmarkError('too_large', `The request body is over ${Math.round(limit / 1e6)} MB.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const host = new CallHost(opts.core);
  await fs.mkdir(opts.uploadDir, { recursive: true });
  let port = 0;

  const tokenOk = (given: string | null | undefined) => {
    if (!given) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      const hostHeader = req.headers.host ?? '';
      if (hostHeader !== `127.0.0.1:${port}` && hostHeader !== `localhost:${port}`) {
        sendJson(res, 403, { error: 'This bridge answers only on 127.0.0.1.' });
        return;
      }
      if (url.pathname.startsWith('/api/')) {
        const auth = req.headers.authorization?.replace(/^Bearer /, '');
        if (req.method !== 'POST' || !tokenOk(auth)) {
          sendJson(res, 401, { error: 'A valid bridge token is required.' });
          return;
        }
        if (url.pathname === '/api/call') {
          const body = JSON.parse((await readBody(req, MAX_JSON_BYTES)).toString('utf8')) as { method?: unknown; input?: unknown; callId?: unknown };
          const callId = typeof body.callId === 'string' ? body.callId : randomBytes(8).toString('hex');
          res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
          const result = await host.call(body.method, body.input, callId, (progress) => res.write(`${JSON.stringify({ progress })}\n`));
          res.end(`${JSON.stringify({ result })}\n`);
          return;
        }
        if (url.pathname === '/api/cancel') {
          const body = JSON.parse((await readBody(req, MAX_JSON_BYTES)).toString('utf8')) as { callId?: unknown };
          sendJson(res, 200, { cancelled: typeof body.callId === 'string' && host.cancel(body.callId) });
          return;
        }
        if (url.pathname === '/api/upload') {
          const name = path.basename(url.searchParams.get('name') ?? 'upload').replace(/[^\p{L}\p{N}._ -]/gu, '_') || 'upload';
          const dir = path.join(opts.uploadDir, randomBytes(8).toString('hex'));
          await fs.mkdir(dir);
          const file = path.join(dir, name);
          await fs.writeFile(file, await readBody(req, MAX_UPLOAD_BYTES), { flag: 'wx' });
          sendJson(res, 200, { path: file });
          return;
        }
        sendJson(res, 404, { error: 'No such API route.' });
        return;
      }
      if (url.pathname.startsWith('/media/')) {
        const [, , kind, ref] = url.pathname.split('/');
        if (!tokenOk(url.searchParams.get('token'))) {
          sendJson(res, 401, { error: 'A valid bridge token is required.' });
          return;
        }
        if (kind !== 'thumb' && kind !== 'original' && kind !== 'file') {
          sendJson(res, 404, { error: 'Unknown media kind.' });
          return;
        }
        const media = opts.core.deps.media.resolve(kind as MediaKind, decodeURIComponent(ref ?? ''));
        res.writeHead(200, { 'content-type': media.mime, 'cache-control': 'no-store' });
        createReadStream(media.path).on('error', () => res.destroy()).pipe(res);
        return;
      }
      await serveStatic(opts.rendererDir, url.pathname, res);
    } catch (err) {
      if (!res.headersSent) sendJson(res, err instanceof SyntaxError ? 400 : 500, { error: toErrorInfo(err) });
      else res.end();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    token,
    appUrl: `${base}/index.html#bridge=${token}`,
    async close() {
      host.cancelAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serveStatic(root: string, pathname: string, res: http.ServerResponse) {
  const rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  const file = path.resolve(root, `.${rel}`);
  if (!file.startsWith(path.resolve(root) + path.sep)) {
    sendJson(res, 403, { error: 'Outside the renderer folder.' });
    return;
  }
  try {
    const body = await fs.readFile(file);
    res.writeHead(200, { 'content-type': STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(body);
  } catch {
    sendJson(res, 404, { error: `Not found: ${rel}` });
  }
}

