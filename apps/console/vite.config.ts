import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Resolved from this file, not the working directory: the build runs from the repository root,
// from tests and from `vite` started inside the app folder.
const appDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

// In development the api runs on its own port; the console then talks to it as it would in
// production, through the same origin, so the session cookie stays first-party.
const apiTarget = 'http://localhost:8080';

export default defineConfig({
  root: appDir,
  plugins: [react()],
  resolve: { tsconfigPaths: true },
  build: {
    outDir: `${repoRoot}dist/apps/console`,
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': apiTarget,
      '/v1': apiTarget,
      '/sdk': apiTarget,
      '/healthz': apiTarget,
    },
  },
});
