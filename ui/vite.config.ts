/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The window loads the built files from inside the binary (tauri.conf.json's
// frontendDist); `npm run dev` serves them at devUrl for hot reload.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: "safari15",
    outDir: "dist",
    emptyOutDir: true,
    // Inline nothing: the CSP allows only files the app ships.
    assetsInlineLimit: 0,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    // Stylesheets as they are, not emptied: fonts.test.ts reads them.
    css: { include: [/\.css\b/] },
  },
});
