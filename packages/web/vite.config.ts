import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const emptyModule = fileURLToPath(new URL('./src/lib/empty-module.ts', import.meta.url));

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      // The app registers /sw.js itself (src/lib/service-worker.ts): no workbox-window at runtime.
      injectRegister: false,
      registerType: 'autoUpdate',
      strategies: 'generateSW',
      filename: 'sw.js',
      manifestFilename: 'manifest.webmanifest',
      manifest: {
        name: 'Tokki (토끼)',
        short_name: 'Tokki',
        description: 'Tokki (토끼) — an open-source messenger',
        lang: 'ko',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#fffaf3',
        theme_color: '#ff7a45',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          {
            src: '/icons/icon-maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      workbox: {
        // The app shell only. API calls (/v1/…) are never cached: no runtimeCaching at all, and
        // navigations to /v1/ never get the shell.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/v1\//],
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  resolve: {
    // The SDK imports `ws` only where there is no global WebSocket, which never happens in a
    // browser: keep the Node package out of the bundle.
    alias: { ws: emptyModule },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    // `npm run dev -w @tokki/web` next to `tokki serve` on :8080.
    proxy: { '/v1': { target: 'http://localhost:8080', ws: true } },
  },
});
