import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { methodNames } from '../contract/index.ts';

// Domain verbs only: one function per contract method, never ipcRenderer itself.
const CALL = 'proofmark:call';
const CANCEL = 'proofmark:cancel';
const PROGRESS = 'proofmark:progress';

const methods: Record<string, (input: unknown, callId: string) => Promise<unknown>> = {};
for (const name of methodNames) {
  methods[name] = (input, callId) => ipcRenderer.invoke(CALL, { method: name, input, callId });
}

const api = {
  methods,
  cancel: (callId: string) => ipcRenderer.invoke(CANCEL, callId) as Promise<boolean>,
  onProgress(listener: (message: { callId: string; progress: unknown }) => void): () => void {
    const handler = (_event: unknown, message: { callId: string; progress: unknown }) => listener(message);
    ipcRenderer.on(PROGRESS, handler);
    return () => ipcRenderer.off(PROGRESS, handler);
  },
  /** The real path of a dropped file (File.path is gone in current Electron). */
  pathForFile: (file: File) => webUtils.getPathForFile(file),
  pick: (kind: 'files' | 'folder') => ipcRenderer.invoke('proofmark:pick', kind) as Promise<string[]>,
  reveal: (target: string) => ipcRenderer.invoke('proofmark:reveal', target) as Promise<void>,
};

contextBridge.exposeInMainWorld('proofmark', api);

export type PreloadApi = typeof api;
