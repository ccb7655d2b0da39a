import {describe, expect, it} from 'vitest'

import {newDraft, type ServiceDraft} from '../../src/render/draft.js'
import {RUN, SectionJoins} from '../../src/render/section-joins.js'

const NO_FLAGS = {map80: false, map443: false, mapAppId: false}

function draft(i: number): ServiceDraft {
  const d = newDraft(`/app-${i}`, NO_FLAGS, 0)
  d.backend = `backend app-${i}\n`
  return d
}

const drafts = (n: number): ServiceDraft[] => Array.from({length: n}, (_, i) => draft(i))
const plain = (list: readonly ServiceDraft[]): string => list.map((d) => d.backend).join('')

describe('SectionJoins', () => {
  it('joins as map + join does, for empty, short and several-run lists', () => {
    for (const n of [0, 1, RUN - 1, RUN, RUN + 1, 5 * RUN + 3]) {
      const list = drafts(n)
      expect(new SectionJoins().join('backend', list, (d) => d.backend)).toBe(plain(list))
    }
  })

  it('gives the same text after a draft changes, one is added or one is removed', () => {
    const joins = new SectionJoins()
    const list = drafts(4 * RUN + 5)
    const pick = (d: ServiceDraft): string => d.backend
    expect(joins.join('backend', list, pick)).toBe(plain(list))
    const changed = [...list]
    changed[RUN + 7] = draft(9999)
    expect(joins.join('backend', changed, pick)).toBe(plain(changed))
    const added = [...changed.slice(0, 10), draft(5000), ...changed.slice(10)]
    expect(joins.join('backend', added, pick)).toBe(plain(added))
    const removed = added.filter((_, i) => i !== 3 * RUN)
    expect(joins.join('backend', removed, pick)).toBe(plain(removed))
    expect(joins.join('backend', [], pick)).toBe('')
  })

  it('reads only the drafts of the runs that changed', () => {
    const joins = new SectionJoins()
    const list = drafts(4 * RUN)
    let picked = 0
    const pick = (d: ServiceDraft): string => ((picked += 1), d.backend)
    joins.join('backend', list, pick)
    expect(picked).toBe(4 * RUN)
    picked = 0
    const changed = [...list]
    changed[2 * RUN + 1] = draft(7777)
    expect(joins.join('backend', changed, pick)).toBe(plain(changed))
    expect(picked).toBe(RUN)
  })

  it('keeps sections apart', () => {
    const joins = new SectionJoins()
    const list = drafts(3)
    for (const d of list) d.frontend = `frontend ${d.ownerAppId}\n`
    joins.join('backend', list, (d) => d.backend)
    expect(joins.join('frontend', list, (d) => d.frontend)).toBe(list.map((d) => d.frontend).join(''))
  })
})
