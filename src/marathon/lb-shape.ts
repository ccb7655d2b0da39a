/**
 * Shapes for the byte parser (lb-bytes.ts): which keys of an object to keep, compiled once into
 * byte patterns for matching keys without decoding them, and builders that create the kept
 * object in one step.
 */
import {KeyTable} from './byte-scanner.js'

/** Which keys of an object to keep, and how to project the kept values further. */
export interface Shape {
  readonly keys: readonly string[]
  /** Per key: projection of the value (objects) or of each element (arrays). */
  readonly nested?: Readonly<Record<string, Shape>>
  /**
   * Per key: a reader tried first on the value's bytes; `null` from it means "read it the
   * general way" (with `nested`), undefined that the bytes end inside the value.
   */
  readonly readers?: Readonly<Record<string, KeyReader>>
}

/** A reader of one key's value from bytes (see {@link Shape.readers}). */
export type KeyReader = (buf: Buffer, pos: number) => {readonly value: unknown; readonly end: number} | undefined | null

/** A {@link Shape} ready for the parser. */
export interface Compiled {
  readonly names: readonly string[]
  readonly keys: KeyTable
  readonly nested: readonly (Compiled | undefined)[]
  readonly readers: readonly (KeyReader | undefined)[]
  /** Values of the object being parsed, by key index (a shape never contains itself). */
  readonly slots: unknown[]
  /** Object builders by key order (see {@link builder}). */
  readonly builders: Map<number, Builder>
}

type Builder = (slots: unknown[]) => Record<string, unknown>

/** Key orders are packed into a number, 4 bits per key: up to 13 keys fit exactly. */
const MAX_SHAPE_KEYS = 13

/** Compiles `shape` (at most 13 keys, none `__proto__`); nested shapes are compiled too. */
export function compileShape(shape: Shape): Compiled {
  if (shape.keys.length > MAX_SHAPE_KEYS || shape.keys.includes('__proto__')) throw new Error('unsupported shape')
  return {
    names: shape.keys,
    keys: new KeyTable(shape.keys),
    nested: shape.keys.map((k) => {
      const sub = shape.nested?.[k]
      return sub === undefined ? undefined : compileShape(sub)
    }),
    readers: shape.keys.map((k) => shape.readers?.[k]),
    slots: shape.keys.map(() => undefined),
    builders: new Map(),
  }
}

/**
 * A function building an object literal with the keys of `order` (key index + 1 per 4 bits, first
 * key most significant). Why generated code: V8 lays out a literal's properties inside the
 * object, where adding the same keys one by one through `out[key] = v` goes through megamorphic
 * stores and a separate property array — slower to build and about twice the memory for the
 * 25,000 task objects of a 5,000-app state. The keys come from the shape, never from the input.
 */
export function builder(c: Compiled, order: number): Builder {
  let b = c.builders.get(order)
  if (b === undefined) {
    const keys: number[] = []
    for (let o = order; o > 0; o = Math.floor(o / 16)) keys.unshift((o % 16) - 1)
    const fields = keys.map((k) => `${JSON.stringify(c.names[k])}: s[${k}]`).join(', ')
    b = new Function('s', `return {${fields}}`) as Builder
    c.builders.set(order, b)
  }
  return b
}
