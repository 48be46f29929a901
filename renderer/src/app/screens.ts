/** The screens of the left navigation, with their keyboard shortcuts (Alt+1 … Alt+8). */
export type ScreenId = 'search' | 'transfers' | 'local' | 'nodes' | 'activity' | 'audit' | 'viewer' | 'prefetch';

/** One entry of the navigation; `section` is the accessible name of the screen's <section>. */
export interface ScreenEntry {
  id: ScreenId;
  label: string;
  key: string;
  section: string;
}

export const SCREENS: readonly ScreenEntry[] = [
  { id: 'search', label: 'Search', key: '1', section: 'Search' },
  { id: 'transfers', label: 'Transfers', key: '2', section: 'Transfers' },
  { id: 'local', label: 'Local cache', key: '3', section: 'Local cache' },
  { id: 'nodes', label: 'Nodes & settings', key: '4', section: 'Nodes and settings' },
  { id: 'activity', label: 'Activity', key: '5', section: 'Activity' },
  { id: 'audit', label: 'Audit', key: '6', section: 'Audit' },
  { id: 'viewer', label: 'Viewer', key: '7', section: 'Viewer' },
  // appended, so the shortcuts people learnt keep their screens
  { id: 'prefetch', label: 'Prefetch', key: '8', section: 'Prefetch' },
];

/** The screen an Alt+key press goes to. */
export function screenForKey(key: string): ScreenId | undefined {
  return SCREENS.find((s) => s.key === key)?.id;
}
