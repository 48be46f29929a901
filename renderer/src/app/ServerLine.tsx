/** The status line's account of our DICOM server (settings.get), refreshed when it may change. */
import { useEffect } from 'react';
import { serverSentence } from '../features/nodes/node-form.js';
import { useApiEvents, useLoad } from './api-context.js';

export function ServerLine({ refreshKey }: { refreshKey: string }) {
  const loaded = useLoad('settings.get', {}, refreshKey);
  const reload = loaded.reload;
  useEffect(() => {
    const t = setInterval(reload, 30_000);
    return () => clearInterval(t);
  }, [reload]);
  // a line about our server (listening, stopped, port in use) may mean its state changed
  useApiEvents((e) => {
    if (e.type === 'log' && e.line.association === undefined && /listen|port/i.test(e.line.message)) reload();
  });
  const server = loaded.value?.server;
  const state = server ? (server.state ?? (server.listening ? 'listening' : 'stopped')) : 'unknown';
  return (
    <div className={`server-line server-${state}`} role="status" aria-label="DICOM server" data-state={state}>
      {server ? `DICOM: ${serverSentence(server)}` : loaded.error ? loaded.error.message : 'DICOM: …'}
    </div>
  );
}
