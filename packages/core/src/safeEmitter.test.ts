import { describe, expect, it, vi } from 'vitest'
import { SafeEmitter } from './safeEmitter'

type Event = { type: 'a'; n: number } | { type: 'b' }

describe('SafeEmitter', () => {
  it('should deliver typed listeners, then every-event listeners, past one that throws', () => {
    const failed = vi.fn()
    const emitter = new SafeEmitter<Event>(failed)
    const seen: string[] = []
    emitter.subscribe((e) => seen.push(`all:${e.type}`))
    emitter.on('a', () => {
      throw new Error('boom')
    })
    emitter.on('a', (e) => seen.push(`a:${e.n}`))
    emitter.on('b', () => seen.push('b'))
    emitter.emit({ type: 'a', n: 1 })
    emitter.emit({ type: 'b' })
    expect(seen).toEqual(['a:1', 'all:a', 'b', 'all:b'])
    expect(failed).toHaveBeenCalledWith(expect.any(Error), { type: 'a', n: 1 })
  })

  it('should take additions and removals made during an emit from the next event on', () => {
    const emitter = new SafeEmitter<Event>(() => {})
    const seen: string[] = []
    const late = () => seen.push('late')
    let offLate = () => {}
    const offFirst = emitter.on('b', () => {
      seen.push('first')
      offLate = emitter.on('b', late)
      offSecond()
    })
    const offSecond = emitter.on('b', () => seen.push('second'))
    emitter.emit({ type: 'b' })
    expect(seen).toEqual(['first', 'second'])
    offFirst()
    emitter.emit({ type: 'b' })
    expect(seen).toEqual(['first', 'second', 'late'])
    offLate()
    emitter.emit({ type: 'b' })
    expect(seen).toHaveLength(3)
  })

  it('should remove one registration per unsubscribe when a function is added twice', () => {
    const emitter = new SafeEmitter<Event>(() => {})
    const listener = vi.fn()
    const off = emitter.subscribe(listener)
    emitter.subscribe(listener)
    off()
    off()
    emitter.emit({ type: 'b' })
    expect(listener).toHaveBeenCalledTimes(1)
  })
})
