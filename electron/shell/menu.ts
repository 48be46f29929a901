/**
 * The application menu: the screens by keyboard (the same Alt+1… as the renderer's navigation),
 * import, the data folder, and the usual Edit/Window roles so copy and paste work everywhere.
 */
import { Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';

/** Builds and sets the menu. `focusScreen` sends the renderer to a screen by its Alt+N key. */
export function installMenu(o: { window: () => BrowserWindow | undefined; dataDir: string; version: string }): void {
  const screens = ['Search', 'Transfers', 'Local cache', 'Nodes & settings', 'Activity'];
  const send = (key: string) => {
    const w = o.window();
    // the renderer's own shortcut handler does the switching (one source of truth for the keys)
    w?.webContents.sendInputEvent({ type: 'keyDown', keyCode: key, modifiers: ['alt'] });
  };
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open data folder', click: () => void shell.openPath(o.dataDir) },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...screens.map((label, i): MenuItemConstructorOptions => ({
          label,
          accelerator: `Alt+${i + 1}`,
          registerAccelerator: false,
          click: () => send(String(i + 1)),
        })),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: `Priors ${o.version}`, enabled: false }],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
