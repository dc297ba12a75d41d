import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// CONTROL_PLANE_URL: where `npm run dev` forwards /api, /ws and /sql-gateway (default
// http://127.0.0.1:8080).
// Add the dev server's origin to the control plane's RELAY_ALLOWED_ORIGINS, or the relay refuses it.
const controlPlane = process.env.CONTROL_PLANE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [vue()],
  server: {
    proxy: {
      '/api': { target: controlPlane, changeOrigin: true },
      '/sql-gateway': { target: controlPlane, changeOrigin: true },
      '/ws': { target: controlPlane.replace(/^http/, 'ws'), ws: true },
    },
  },
  build: { chunkSizeWarningLimit: 900 },
});
