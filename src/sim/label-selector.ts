/**
 * The `label` query of `GET /v2/apps` (marathon-api §2.1, `LabelSelectorParsers.scala`):
 * comma-separated selectors, all of which must match; every selector requires the key to exist.
 */
import {ApiError} from './api-error.js'

type Labels = Readonly<Record<string, string>>
type Selector = (labels: Labels) => boolean

class Parser {
  private pos = 0
  constructor(private readonly text: string) {}

  private ws(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++
  }

  private fail(reason: string): never {
    throw new ApiError(422, {message: `Can not parse label selector ${this.text}. Reason: ${reason}`})
  }

  private term(): string {
    this.ws()
    let out = ''
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] as string
      if (c === '\\' && this.pos + 1 < this.text.length) {
        out += this.text[this.pos + 1]
        this.pos += 2
      } else if (/[-A-Za-z0-9_.]/.test(c)) {
        out += c
        this.pos++
      } else break
    }
    if (out === '') this.fail(`expected a label term at position ${this.pos}`)
    return out
  }

  private eat(token: string): boolean {
    this.ws()
    if (this.text.startsWith(token, this.pos)) {
      this.pos += token.length
      return true
    }
    return false
  }

  private selector(): Selector {
    const key = this.term()
    const has = (l: Labels): boolean => Object.prototype.hasOwnProperty.call(l, key)
    if (this.eat('==')) {
      const v = this.term()
      return (l) => has(l) && l[key] === v
    }
    if (this.eat('!=')) {
      const v = this.term()
      return (l) => has(l) && l[key] !== v
    }
    for (const [word, negate] of [['notin', true], ['in', false]] as const) {
      if (this.eat(word)) {
        if (!this.eat('(')) this.fail(`expected '(' after ${word}`)
        const values = [this.term()]
        while (this.eat(',')) values.push(this.term())
        if (!this.eat(')')) this.fail("expected ')'")
        return (l) => has(l) && values.includes(l[key] as string) !== negate
      }
    }
    return has
  }

  parse(): Selector {
    const all = [this.selector()]
    while (this.eat(',')) all.push(this.selector())
    this.ws()
    if (this.pos < this.text.length) this.fail(`unexpected '${this.text[this.pos]}' at position ${this.pos}`)
    return (l) => all.every((s) => s(l))
  }
}

/** Parses a label selector into a predicate; throws a 422 {@link ApiError} on bad syntax. */
export function parseLabelSelector(query: string): Selector {
  return new Parser(query).parse()
}
