/**
 * The shell: left navigation, the current screen, a status line. Screens stay mounted while
 * hidden, so a running search or the transfer list keeps its state when the user looks elsewhere.
 */
import { useEffect, useState } from 'react';
import { ActivityScreen } from '../features/activity/ActivityScreen.js';
import { LocalCacheScreen } from '../features/local/LocalCacheScreen.js';
import { NodesScreen } from '../features/nodes/NodesScreen.js';
import { SearchScreen } from '../features/search/SearchScreen.js';
import { TransfersScreen } from '../features/transfers/TransfersScreen.js';
import type { ChannelState } from '../transport/index.js';
import { useTransport } from './api-context.js';
import { SCREENS, type ScreenId } from './screens.js';

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
      const target = SCREENS.find((s) => s.key === e.key);
      if (target) {
        e.preventDefault();
        setScreen(target.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

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
        <div className={`channel channel-${channel}`} role="status">
          {transport.kind === 'electron' ? 'Desktop' : 'Browser'} · {channel === 'open' ? 'connected' : channel === 'connecting' ? 'connecting…' : 'disconnected'}
        </div>
      </nav>
      <main className="main">
        <section hidden={screen !== 'search'} aria-label="Search"><SearchScreen active={screen === 'search'} /></section>
        <section hidden={screen !== 'transfers'} aria-label="Transfers"><TransfersScreen active={screen === 'transfers'} /></section>
        <section hidden={screen !== 'local'} aria-label="Local cache"><LocalCacheScreen active={screen === 'local'} /></section>
        <section hidden={screen !== 'nodes'} aria-label="Nodes and settings"><NodesScreen active={screen === 'nodes'} /></section>
        <section hidden={screen !== 'activity'} aria-label="Activity"><ActivityScreen active={screen === 'activity'} /></section>
      </main>
    </div>
  );
}
