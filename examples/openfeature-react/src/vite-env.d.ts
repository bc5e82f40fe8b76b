/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The client token baked in by vite.config.ts. */
  readonly VITE_FLOODGATE_TOKEN: string
}
