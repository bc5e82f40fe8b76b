import { describe, expect, it } from 'vitest'
import { SECTION_HEADING, updateSection } from './docsSection'

describe('updateSection', () => {
  it('should create the document and the section when there is none', () => {
    const doc = updateSection('', 'table 1')
    expect(doc.startsWith('# Benchmarks\n')).toBe(true)
    expect(doc).toContain(`${SECTION_HEADING}\n`)
    expect(doc).toContain('table 1')
  })

  it('should replace only the generated part and keep the text around it', () => {
    const first = updateSection(
      `# Benchmarks\n\n## Core\n\ncore text\n\n${SECTION_HEADING}\n\nhand-written analysis\n`,
      'old table',
    )
    const second = updateSection(`${first}\n## Later\n\nmore\n`, 'new table')
    expect(second).toContain('new table')
    expect(second).not.toContain('old table')
    expect(second).toContain('core text')
    expect(second).toContain('hand-written analysis')
    expect(second).toContain('## Later\n\nmore')
    expect(second.match(/peers:begin/g)).toHaveLength(1)
  })
})
