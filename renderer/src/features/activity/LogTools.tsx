/**
 * The Activity screen's "Open log" and "Save diagnostics": the end of the log file on disk (what
 * happened before a restart is there too) with where it is, and the bundle a PACS administrator
 * attaches to a ticket, saved in the data directory (and downloadable in the browser).
 */
import { useState } from 'react';
import type { ApiError, LogTail, ResponseOf } from '../../../../shared/api/contract.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useTransport } from '../../app/api-context.js';
import { formatBytes } from '../../lib/format.js';

type Saved = ResponseOf<'diagnostics.save'>;

export function LogTools() {
  const transport = useTransport();
  const [tail, setTail] = useState<LogTail | undefined>();
  const [saved, setSaved] = useState<Saved | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  const openLog = async () => {
    const r = await transport.call('logs.tail', {});
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setError(undefined);
    setTail(r.value);
  };
  const save = async () => {
    setBusy(true);
    try {
      const r = await transport.call('diagnostics.save', {});
      if (!r.ok) {
        setError(r.error);
        return;
      }
      setError(undefined);
      setSaved(r.value);
    } finally {
      setBusy(false);
    }
  };
  const token = new URLSearchParams(window.location.search).get('token');
  const download = saved && transport.kind === 'http' && token ? `${saved.download}?token=${encodeURIComponent(token)}` : undefined;

  return (
    <>
      <div className="screen-actions">
        <button type="button" onClick={() => void openLog()}>
          {tail ? 'Refresh log' : 'Open log'}
        </button>
        <button type="button" onClick={() => void save()} disabled={busy}>
          {busy ? 'Saving…' : 'Save diagnostics'}
        </button>
      </div>
      <ErrorLine error={error} />
      {saved && (
        <p className="muted" role="status" aria-label="Diagnostics saved">
          Saved {saved.filename} ({formatBytes(saved.bytes)}: {saved.entries.length} files) in <code>{saved.path}</code>
          {download && (
            <>
              {' '}
              ·{' '}
              <a href={download} download={saved.filename}>
                Download
              </a>
            </>
          )}
          . Passwords and tokens are removed; the logs name AE titles, addresses, UIDs and Patient IDs: send it only where patient data may go.
        </p>
      )}
      {tail && (
        <section className="log-file" aria-label="Log file">
          <p className="muted">
            {tail.path ? (
              <>
                The end of <code>{tail.path}</code>
                {tail.truncated ? ' (older lines left out)' : ''}, newest last.
              </>
            ) : (
              <>
                No log file yet: it will be written in <code>{tail.dir}</code>.
              </>
            )}
            {tail.path && (
              <button type="button" className="link-button" onClick={() => void navigator.clipboard?.writeText(tail.path!)}>
                Copy path
              </button>
            )}
          </p>
          {tail.problem && (
            <p className="error" role="alert">
              {tail.problem}
            </p>
          )}
          {tail.text && (
            <pre className="log-text" tabIndex={0}>
              {tail.text}
            </pre>
          )}
        </section>
      )}
    </>
  );
}
