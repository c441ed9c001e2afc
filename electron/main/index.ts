import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell, type WebContents } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MediaKind } from '../contract/index.ts';
import { CallHost } from '../core/host.ts';
import { createCore, type Core } from '../core/index.ts';
import { registerIpc } from './ipc.ts';

const MEDIA_SCHEME = 'proofmark-media';
const isDev = !app.isPackaged && Boolean(process.env.ELECTRON_RENDERER_URL);
const rendererUrl = isDev ? process.env.ELECTRON_RENDERER_URL! : pathToFileURL(path.join(import.meta.dirname, '../renderer/index.html')).href;

// Custom scheme for local images: standard + secure so it obeys CSP like https, never file://.
protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' ${MEDIA_SCHEME}: data: blob:`,
  "font-src 'self' data:",
  `connect-src 'self'${isDev ? ' ws: http://localhost:*' : ''}`,
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function isOwnRenderer(url: string | undefined): boolean {
  if (!url) return false;
  return isDev ? url.startsWith(rendererUrl) : url === rendererUrl || url.startsWith(`${rendererUrl}#`);
}

const windows = new Set<WebContents>();
const isTrustedSender = (contents: WebContents, frameUrl: string | undefined) => windows.has(contents) && isOwnRenderer(frameUrl);

function resourcesDir(): string {
  return app.isPackaged ? path.join(process.resourcesPath, 'resources') : path.join(app.getAppPath(), 'resources');
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 640,
    title: 'ProofMark',
    show: false,
    webPreferences: {
      preload: path.join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
  windows.add(win.webContents);
  win.on('closed', () => windows.delete(win.webContents));
  win.once('ready-to-show', () => win.show());
  // No navigation away from the app and no new windows; links open in the system browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (!isOwnRenderer(url)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void win.loadURL(rendererUrl);
  return win;
}

/** Desktop-only helpers (file dialogs, reveal in folder): not part of the core contract. */
function registerShellIpc(): void {
  ipcMain.handle('proofmark:pick', async (event, kind: unknown) => {
    if (!isTrustedSender(event.sender, event.senderFrame?.url)) throw new Error('Refused: IPC from an untrusted frame.');
    const win = BrowserWindow.fromWebContents(event.sender);
    const properties: ('openFile' | 'openDirectory' | 'multiSelections' | 'createDirectory')[] =
      kind === 'folder' ? ['openDirectory', 'createDirectory'] : ['openFile', 'multiSelections'];
    const result = win ? await dialog.showOpenDialog(win, { properties }) : await dialog.showOpenDialog({ properties });
    return result.canceled ? [] : result.filePaths;
  });
  ipcMain.handle('proofmark:reveal', (event, target: unknown) => {
    if (!isTrustedSender(event.sender, event.senderFrame?.url)) throw new Error('Refused: IPC from an untrusted frame.');
    if (typeof target === 'string' && path.isAbsolute(target)) shell.showItemInFolder(target);
  });
}

let core: Core | null = null;
let host: CallHost | null = null;

app.enableSandbox();
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

void app.whenReady().then(async () => {
  core = await createCore({
    libraryDir: process.env.PROOFMARK_LIBRARY ?? path.join(app.getPath('userData'), 'library'),
    resourcesDir: resourcesDir(),
    workerScript: path.join(import.meta.dirname, 'worker.js'),
    tempDir: path.join(app.getPath('temp'), `proofmark-${process.pid}`),
  });
  core.resumeBackgroundWork();
  host = new CallHost(core);
  const media = core.deps.media;

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  // proofmark-media://<thumb|original|file>/<ref>: only files the library knows or the core produced.
  protocol.handle(MEDIA_SCHEME, async (request) => {
    try {
      const url = new URL(request.url);
      const resolved = media.resolve(url.hostname as MediaKind, decodeURIComponent(url.pathname.slice(1)));
      return net.fetch(pathToFileURL(resolved.path).href);
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });

  registerIpc(host, isTrustedSender);
  registerShellIpc();
  Menu.setApplicationMenu(Menu.buildFromTemplate([{ role: process.platform === 'darwin' ? 'appMenu' : 'fileMenu' }, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }]));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', (event) => {
  if (!core) return;
  event.preventDefault();
  host?.cancelAll();
  const closing = core;
  core = null;
  void closing.close().finally(() => app.quit());
});
