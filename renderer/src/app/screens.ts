/** The screens of the left navigation, with their keyboard shortcuts (Alt+1 … Alt+5). */
export type ScreenId = 'search' | 'transfers' | 'local' | 'nodes' | 'activity';

export const SCREENS: readonly { id: ScreenId; label: string; key: string }[] = [
  { id: 'search', label: 'Search', key: '1' },
  { id: 'transfers', label: 'Transfers', key: '2' },
  { id: 'local', label: 'Local cache', key: '3' },
  { id: 'nodes', label: 'Nodes & settings', key: '4' },
  { id: 'activity', label: 'Activity', key: '5' },
];
