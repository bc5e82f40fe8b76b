import { createParser } from 'eventsource-parser'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSseParser, type SseMessage } from './sseParser'

type Seen = ['event', SseMessage] | ['comment', string] | ['retry', number]

function ours(chunks: string[]): Seen[] {
  const seen: Seen[] = []
  const parser = createSseParser({
    onEvent: (m) => seen.push(['event', m]),
    onComment: (c) => seen.push(['comment', c]),
    onRetry: (ms) => seen.push(['retry', ms]),
  })
  for (const chunk of chunks) parser.feed(chunk)
  return seen
}

function library(chunks: string[]): Seen[] {
  const seen: Seen[] = []
  const parser = createParser({
    onEvent: (m) => {
      seen.push(['event', m.event ? { event: m.event, data: m.data } : { data: m.data }])
    },
    onComment: (c) => seen.push(['comment', c]),
    onRetry: (ms) => seen.push(['retry', ms]),
  })
  for (const chunk of chunks) parser.feed(chunk)
  return seen
}

/** Splits `text` at the given cut points. */
function chunked(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
  const chunks: string[] = []
  let last = 0
  for (const point of points) {
    chunks.push(text.slice(last, point))
    last = point
  }
  chunks.push(text.slice(last))
  return chunks
}

const STREAM =
  'id: 1\nevent: put\ndata: {"a":1}\n\n: heartbeat\n\nevent: patch\r\ndata: line one\r\ndata:line two\r\n\r\n' +
  'retry: 3000\ndata\n\nid\nevent:\ndata: x\n\nid: bad\0id\ndata: y\n\nfield without colon\ndata: z\r\r' +
  'retry: soon\n:connected\n\ndata: unfinished'

describe('createSseParser', () => {
  it('should read fields, comments, retry and every line ending, ids left out', () => {
    expect(ours([STREAM])).toEqual([
      ['event', { event: 'put', data: '{"a":1}' }],
      ['comment', 'heartbeat'],
      ['event', { event: 'patch', data: 'line one\nline two' }],
      ['retry', 3000],
      ['event', { data: '' }],
      ['event', { data: 'x' }],
      ['event', { data: 'y' }],
      ['event', { data: 'z' }],
      ['comment', 'connected'],
    ])
  })

  it('should give what eventsource-parser gives, however the stream is chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        const chunks = chunked(STREAM, cuts)
        expect(ours(chunks)).toEqual(library(chunks))
      }),
      { numRuns: 500 },
    )
  })

  it('should agree with eventsource-parser on arbitrary text over the SSE alphabet', () => {
    const alphabet = fc.constantFrom(
      'data',
      'event',
      'id',
      'retry',
      ':',
      ' ',
      '\n',
      '\r',
      'x',
      '7',
      '\0',
    )
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (parts, cuts) => {
          const chunks = chunked(`${parts.join('')}\n\n`, cuts)
          expect(ours(chunks)).toEqual(library(chunks))
        },
      ),
      { numRuns: 1000 },
    )
  })
})
