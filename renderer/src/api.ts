// The only module that talks to the outside: Electron's preload (window.proofmark) in the app,
// or the localhost bridge when the renderer runs in a browser for end-to-end tests.
import type { ApiClient, CallOptions, Envelope, ErrorInfo, Input, MediaKind, MethodName, Output, Progress } from '../../electron/contract/index.ts';

interface PreloadApi {
  methods: Record<string, (input: unknown, callId: string) => Promise<Envelope<unknown>>>;
  cancel(callId: string): Promise<boolean>;
  onProgress(listener: (message: { callId: string; progress: Progress }) => void): () => void;
  pathForFile(file: File): string;
  pick(kind: 'files' | 'folder'): Promise<string[]>;
  reveal(target: string): Promise<void>;
}

declare global {
  interface Window {
    proofmark?: PreloadApi;
  }
}

/** An error from the core, carrying its code and field-level issues for the UI. */
export class ApiError extends Error {
  readonly info: ErrorInfo;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.info = info;
  }
}

export interface Client extends ApiClient {
  /** Paths of files dropped on the window (uploaded first when running through the bridge). */
  pathsForFiles(files: File[]): Promise<string[]>;
  /** Native file/folder picker; null when there is none (browser). */
  pick: ((kind: 'files' | 'folder') => Promise<string[]>) | null;
  /** Show a file or folder in the system file manager; null when unavailable. */
  reveal: ((target: string) => Promise<void>) | null;
  readonly mode: 'electron' | 'bridge';
}

let seq = 0;
const newCallId = () => `${Date.now().toString(36)}-${(seq++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

function unwrap<T>(envelope: Envelope<unknown>): T {
  if (!envelope.ok) throw new ApiError(envelope.error);
  return envelope.value as T;
}

function electronClient(p: PreloadApi): Client {
  const listeners = new Map<string, (progress: Progress) => void>();
  p.onProgress(({ callId, progress }) => listeners.get(callId)?.(progress));
  return {
    mode: 'electron',
    async call<M extends MethodName>(method: M, input: Input<M>, options: CallOptions = {}): Promise<Output<M>> {
      const fn = p.methods[method];
      if (!fn) throw new ApiError({ code: 'unknown_method', message: `There is no method called ${method}.` });
      const callId = newCallId();
      if (options.onProgress) listeners.set(callId, options.onProgress);
      const onAbort = () => void p.cancel(callId);
      options.signal?.addEventListener('abort', onAbort);
      try {
        return unwrap<Output<M>>(await fn(input, callId));
      } finally {
        listeners.delete(callId);
        options.signal?.removeEventListener('abort', onAbort);
      }
    },
    mediaUrl: (kind: MediaKind, ref: string | number) => `proofmark-media://${kind}/${encodeURIComponent(String(ref))}`,
    pathsForFiles: async (files) => files.map((f) => p.pathForFile(f)).filter(Boolean),
    pick: (kind) => p.pick(kind),
    reveal: (target) => p.reveal(target),
  };
}

function bridgeClient(token: string): Client {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    mode: 'bridge',
    async call<M extends MethodName>(method: M, input: Input<M>, options: CallOptions = {}): Promise<Output<M>> {
      const callId = newCallId();
      const onAbort = () => void fetch('/api/cancel', { method: 'POST', headers, body: JSON.stringify({ callId }) });
      options.signal?.addEventListener('abort', onAbort);
      try {
        const res = await fetch('/api/call', { method: 'POST', headers, body: JSON.stringify({ method, input, callId }) });
        if (!res.ok || !res.body) throw new ApiError({ code: 'internal', message: `The bridge answered ${res.status}.` });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffered = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (value) buffered += value;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (!line) continue;
            const message = JSON.parse(line) as { progress?: Progress; result?: Envelope<unknown> };
            if (message.progress) options.onProgress?.(message.progress);
            if (message.result) return unwrap<Output<M>>(message.result);
          }
          if (done) throw new ApiError({ code: 'internal', message: 'The bridge closed the call without a result.' });
        }
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
    },
    mediaUrl: (kind: MediaKind, ref: string | number) => `/media/${kind}/${encodeURIComponent(String(ref))}?token=${token}`,
    async pathsForFiles(files) {
      const paths: string[] = [];
      for (const file of files) {
        const res = await fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, { method: 'POST', headers: { authorization: headers.authorization }, body: file });
        if (res.ok) paths.push(((await res.json()) as { path: string }).path);
      }
      return paths;
    },
    pick: null,
    reveal: null,
  };
}

function connect(): Client {
  if (window.proofmark) return electronClient(window.proofmark);
  const token = new URLSearchParams(window.location.hash.slice(1)).get('bridge');
  if (token) return bridgeClient(token);
  throw new Error('ProofMark must run inside its desktop app (or through the test bridge).');
}

export const api: Client = connect();
