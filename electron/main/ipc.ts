import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { CallHost } from '../core/host.ts';

export const CHANNELS = { call: 'proofmark:call', cancel: 'proofmark:cancel', progress: 'proofmark:progress' } as const;

/**
 * Contract calls over IPC. Every message's sender must be one of our windows showing our own
 * renderer; anything else is refused before the core sees it.
 */
export function registerIpc(host: CallHost, isTrustedSender: (contents: WebContents, frameUrl: string | undefined) => boolean): void {
  const check = (event: IpcMainInvokeEvent) => {
    if (!isTrustedSender(event.sender, event.senderFrame?.url)) throw new Error('Refused: IPC from an untrusted frame.');
  };
  ipcMain.handle(CHANNELS.call, async (event, message: { method?: unknown; input?: unknown; callId?: unknown }) => {
    check(event);
    const callId = typeof message?.callId === 'string' ? message.callId : '';
    if (!callId) return { ok: false, error: { code: 'invalid_input', message: 'A call id is required.' } };
    return host.call(message.method, message.input, callId, (progress) => {
      if (!event.sender.isDestroyed()) event.sender.send(CHANNELS.progress, { callId, progress });
    });
  });
  ipcMain.handle(CHANNELS.cancel, (event, callId: unknown) => {
    check(event);
    return typeof callId === 'string' && host.cancel(callId);
  });
}
