import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { initI18n } from './i18n';
import { registerServiceWorker } from './lib/service-worker';
import { store } from './lib/store';
import './styles.css';

async function start(): Promise<void> {
  await initI18n();
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  await store.boot();
  // Write the cache before the page goes away (a reload, a closed tab).
  window.addEventListener('pagehide', () => store.flush());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') store.flush();
  });
  registerServiceWorker();
}

void start();
