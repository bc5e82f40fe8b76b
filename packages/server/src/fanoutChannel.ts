import { channel } from 'node:diagnostics_channel'

/** Name of the `node:diagnostics_channel` on which the server publishes a `FanoutMessage` per fan-out. */
export const FANOUT_CHANNEL = 'floodgate:stream.fanout'

/**
 * One fan-out: a frame written to every SDK stream of an environment and
 * audience. Published only while the channel has subscribers, so an
 * unobserved server does not even read the clock.
 *
 * @example
 * import { subscribe } from 'node:diagnostics_channel'
 * subscribe(FANOUT_CHANNEL, (message) => console.log(message as FanoutMessage))
 */
export interface FanoutMessage {
  environment: string
  /** `server` streams see every flag, `client` streams only `clientSide` ones. */
  audience: 'server' | 'client'
  /** `patch` for a change, `put` when the streams get the whole snapshot again. */
  event: 'patch' | 'put'
  /** The frame's `id`: the environment version it brings the streams to. */
  version: number
  /** Streams written to. */
  streams: number
  /** Size of the frame, in bytes (the same buffer goes to every stream). */
  bytes: number
  /** When the fan-out started, in ms since the epoch (`performance.timeOrigin + performance.now()`). */
  startedAt: number
  /** Time spent handing the frame to every socket, in ms: the event loop is blocked that long. */
  durationMs: number
}

export const fanoutChannel = channel(FANOUT_CHANNEL)
