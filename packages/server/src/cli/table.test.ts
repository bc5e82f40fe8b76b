import { describe, expect, it } from 'vitest'
import { formatTable } from './table'

describe('formatTable', () => {
  it('should pad every column but the last to its widest cell', () => {
    expect(
      formatTable(
        ['A', 'LONG'],
        [
          ['xyz', '1'],
          ['p', 'q'],
        ],
      ),
    ).toBe('A    LONG\nxyz  1\np    q')
  })
})
