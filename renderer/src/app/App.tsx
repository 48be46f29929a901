/**
 * The shell: left navigation (Alt+1 … Alt+8), the current screen, a status line (push channel
 * and our DICOM server). Screens stay mounted while hidden, so a running search or the
 * transfer list keeps its state when the user looks elsewhere. "Open" on a cached study
 * (`priors:open-study`) shows the Viewer; "Export…" on one (`priors:export-study`) shows Local
 * cache, which opens the export dialog. A fault while drawing one screen stays in that screen
 * (ScreenBoundary). A screen may link to another (`priors:show-screen`, show-screen.ts).
 */
import { type ReactElement, useEffect, useState } from 'react';
import { ActivityScreen } from '../features/activity/ActivityScreen.js';
import { AuditScreen } from '../features/audit/AuditScreen.js';
import { EXPORT_STUDY_EVENT, OPEN_STUDY_EVENT } from '../features/local/cache-view.js';
import { LocalCacheScreen } from '../features/local/LocalCacheScreen.js';
import { NodesScreen } from '../features/nodes/NodesScreen.js';
import { PrefetchScreen } from '../features/prefetch/PrefetchScreen.js';
import { SearchScreen } from '../features/search/SearchScreen.js';
import { TransfersScreen } from '../features/transfers/TransfersScreen.js';
import { ViewerScreen } from '../features/viewer/ViewerScreen.js';
import type { ChannelState } from '../transport/index.js';
import { useTransport } from './api-context.js';
import { SCREENS, type ScreenId, screenForKey } from './screens.js';
import { ScreenBoundary } from './ScreenBoundary.js';
import { SHOW_SCREEN_EVENT } from './show-screen.js';
import { ServerLine } from './ServerLine.js';

export function App() {
  const transport = useTransport();
  const [screen, setScreen] = useState<ScreenId>('search');
  const [channel, setChannel] = useState<ChannelState>('connecting');

  useEffect(() => transport.onChannelState(setChannel), [transport]);
  // Keep the push channel open for the whole session (screens add their own listeners).
  useEffect(() => transport.subscribe(() => {}), [transport]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const target = screenForKey(e.key);
      if (target) {
        e.preventDefault();
        setScreen(target);
      }
    };
    // the viewer listens to the same event and loads the study; the shell only shows it
    const onOpen = (): void => setScreen('viewer');
    // likewise the Local cache screen opens the export dialog on its own event
    const onExport = (): void => setScreen('local');
    const onShow = (e: Event): void => {
      const wanted = (e as CustomEvent<{ screen?: string }>).detail?.screen;
      const entry = SCREENS.find((s) => s.id === wanted);
      if (entry) setScreen(entry.id);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener(OPEN_STUDY_EVENT, onOpen);
    window.addEventListener(EXPORT_STUDY_EVENT, onExport);
    window.addEventListener(SHOW_SCREEN_EVENT, onShow);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener(OPEN_STUDY_EVENT, onOpen);
      window.removeEventListener(EXPORT_STUDY_EVENT, onExport);
      window.removeEventListener(SHOW_SCREEN_EVENT, onShow);
    };
  }, []);

  const section = (id: ScreenId, label: string, body: ReactElement) => (
    <section hidden={screen !== id} aria-label={label}>
      <ScreenBoundary screen={label}>{body}</ScreenBoundary>
    </section>
  );
  return (
    <div className="shell">
      <nav className="nav" aria-label="Screens">
        <div className="brand">Priors</div>
        <ul>
          {SCREENS.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                className="nav-item"
                aria-current={screen === s.id ? 'page' : undefined}
                onClick={() => setScreen(s.id)}
                title={`Alt+${s.key}`}
              >
                <span>{s.label}</span>
                <kbd>Alt+{s.key}</kbd>
              </button>
            </li>
          ))}
        </ul>
        <div className="status-line">
          <ServerLine refreshKey={channel} />
          <div className={`channel channel-${channel}`} role="status">
            {transport.kind === 'electron' ? 'Desktop' : 'Browser'} ·{' '}
            {channel === 'open' ? 'connected' : channel === 'connecting' ? 'connecting…' : 'disconnected'}
          </div>
        </div>
      </nav>
      <main className="main">
        {section('search', 'Search', <SearchScreen active={screen === 'search'} />)}
        {section('transfers', 'Transfers', <TransfersScreen active={screen === 'transfers'} />)}
        {section('local', 'Local cache', <LocalCacheScreen active={screen === 'local'} />)}
        {section('nodes', 'Nodes and settings', <NodesScreen active={screen === 'nodes'} />)}
        {section('activity', 'Activity', <ActivityScreen active={screen === 'activity'} />)}
        {section('audit', 'Audit', <AuditScreen active={screen === 'audit'} />)}
        {section('viewer', 'Viewer', <ViewerScreen active={screen === 'viewer'} />)}
        {section('prefetch', 'Prefetch', <PrefetchScreen active={screen === 'prefetch'} />)}
      </main>
    </div>
  );
}
