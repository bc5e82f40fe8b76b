/**
 * The browser client without React: for code that connects to Floodgate in a
 * page but renders with something else, or not at all (an OpenFeature web
 * provider, a web component, a plain script). Importing it loads no React.
 */
export type { BrowserClientOptions } from './browserClient'
export { BrowserFlagClient, createBrowserClient } from './browserClient'
export type { RemoteBrowserClientOptions } from './remoteBrowserClient'
export { createRemoteBrowserClient, RemoteBrowserClient } from './remoteBrowserClient'
export type { SnapshotStorageBackend } from './webStorageCache'
