import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';
import { contract, methodNames } from '../../../electron/contract/index.ts';
import { startBridge } from '../../../electron/bridge/server.ts';
import { runCli } from '../../helpers/cli.ts';
import { testCore } from '../../helpers/core.ts';
import { tempDir } from '../../helpers/corpus.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

test('the core implements every contract method, and nothing else', async () => {
  const env = await testCore();
  assert.deepEqual(Object.keys(env.core.handlers).sort(), [...methodNames].sort());
  for (const name of methodNames) assert.equal(typeof env.core.handlers[name], 'function', name);
  await env.close();
});

test('every method has a summary and validates its input', () => {
  for (const name of methodNames) {
    assert.ok(contract[name].summary.length > 10, `${name} needs a summary`);
    assert.equal(contract[name].input.safeParse(Symbol('not input')).success, false, `${name} must reject nonsense input`);
  }
});

test('the CLI reaches every method', async () => {
  const listed = JSON.parse((await runCli(['methods', '--json'])).stdout) as { name: string }[];
  assert.deepEqual(listed.map((m) => m.name).sort(), [...methodNames].sort());
});

test('the bridge routes every method to the core (an unknown one is refused)', async (t) => {
  const env = await testCore();
  const { dir, cleanup } = await tempDir();
  const bridge = await startBridge({ core: env.core, rendererDir: dir, uploadDir: path.join(dir, 'uploads') });
  t.after(async () => {
    await bridge.close();
    await env.close();
    await cleanup();
  });
  const post = (method: string) => fetch(`${bridge.url}/api/call`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ method, input: '__invalid__', callId: method }),
  }).then(async (r) => JSON.parse((await r.text()).trim().split('\n').pop()!) as { result: { ok: boolean; error?: { code: string } } });
  for (const name of methodNames) {
    const { result } = await post(name);
    assert.notEqual(result.error?.code, 'unknown_method', name);
  }
  assert.equal((await post('library.dropEverything')).result.error?.code, 'unknown_method');
});

/** A raw request, so the Host header can be set (fetch does not allow it). */
function requestWithHost(url: string, host: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { host, authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{}');
  });
}

test('the bridge refuses requests without the token or from another host name', async (t) => {
  const env = await testCore();
  const { dir, cleanup } = await tempDir();
  const bridge = await startBridge({ core: env.core, rendererDir: dir, uploadDir: path.join(dir, 'uploads') });
  t.after(async () => {
    await bridge.close();
    await env.close();
    await cleanup();
  });
  const noToken = await fetch(`${bridge.url}/api/call`, { method: 'POST', body: '{}' });
  assert.equal(noToken.status, 401);
  const wrongToken = await fetch(`${bridge.url}/media/thumb/1?token=nope`);
  assert.equal(wrongToken.status, 401);
  assert.equal(await requestWithHost(`${bridge.url}/api/call`, 'evil.example', bridge.token), 403);
  assert.match(bridge.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('the built preload exposes exactly one function per contract method, and no ipcRenderer', { skip: !fs.existsSync(path.join(ROOT, 'out/preload/index.cjs')) && 'run "electron-vite build" first' }, () => {
  const code = fs.readFileSync(path.join(ROOT, 'out/preload/index.cjs'), 'utf8');
  const exposed: Record<string, unknown> = {};
  const fakeElectron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
    ipcRenderer: { invoke: () => Promise.resolve(), on: () => {}, off: () => {} },
    webUtils: { getPathForFile: () => '' },
  };
  const sandbox = { require: (id: string) => (id === 'electron' ? fakeElectron : undefined), module: { exports: {} }, exports: {}, console };
  vm.runInNewContext(code, sandbox);
  const api = exposed.proofmark as { methods: Record<string, unknown> } & Record<string, unknown>;
  assert.deepEqual(Object.keys(api.methods).sort(), [...methodNames].sort());
  assert.deepEqual(Object.keys(api).sort(), ['cancel', 'methods', 'onProgress', 'pathForFile', 'pick', 'reveal']);
  assert.equal(Object.values(api).includes(fakeElectron.ipcRenderer), false);
});
