/**
 * The configuration's long sections (backends, frontends, the :80/:443/:9091 rules) are the
 * texts of thousands of service drafts joined. A daemon event changes a few services, and the
 * render memo hands back the very same draft object for every other one (render.ts); joining
 * everything anew still copied every byte of the configuration once more per event (9 ms and
 * 5 MB of garbage at 5,000 apps). So the drafts are joined in runs of {@link RUN} and a run
 * whose drafts are the same objects in the same order gives back last time's text: the section
 * is the same string, built from mostly old pieces. Drafts are never changed once made, so
 * identity is enough. One per daemon (GenerateMemo in src/generate.ts).
 */
import type {ServiceDraft} from './draft.js'

/** Drafts per run: a changed draft costs the join of this many (about 70 KB of backends). */
export const RUN = 64

interface Run {
  readonly drafts: readonly ServiceDraft[]
  readonly text: string
}

/** Joined runs of drafts by section, from the previous render. */
export class SectionJoins {
  private readonly previous = new Map<string, readonly Run[]>()

  /**
   * `drafts.map(pick).join('')`, reusing last render's runs of `section`. `pick` must be the
   * same for a section every time (the section's name stands for it).
   */
  join(section: string, drafts: readonly ServiceDraft[], pick: (d: ServiceDraft) => string): string {
    const before = this.previous.get(section) ?? []
    const runs: Run[] = []
    let text = ''
    for (let from = 0; from < drafts.length; from += RUN) {
      const to = Math.min(from + RUN, drafts.length)
      const old = before[runs.length]
      const run = old !== undefined && sameDrafts(old.drafts, drafts, from, to) ? old : fresh(drafts.slice(from, to), pick)
      runs.push(run)
      text += run.text
    }
    this.previous.set(section, runs)
    return text
  }
}

function fresh(drafts: readonly ServiceDraft[], pick: (d: ServiceDraft) => string): Run {
  return {drafts, text: drafts.map(pick).join('')}
}

function sameDrafts(run: readonly ServiceDraft[], drafts: readonly ServiceDraft[], from: number, to: number): boolean {
  if (run.length !== to - from) return false
  for (let i = from; i < to; i++) if (run[i - from] !== drafts[i]) return false
  return true
}
