/** The renderer's entry: picks the transport and mounts the shell. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { TransportContext } from './app/api-context.js';
import { pickTransport } from './transport/index.js';
import './styles/theme.css';
import './styles/layout.css';
import './styles/prefetch.css';
import './styles/forms.css';
import './styles/viewer.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <TransportContext.Provider value={pickTransport(window)}>
        <App />
      </TransportContext.Provider>
    </StrictMode>,
  );
}
