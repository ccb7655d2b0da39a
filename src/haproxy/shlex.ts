/**
 * Shell-style word splitting for `--command` (spec §6.6: marathon-lb uses Python's
 * `shlex.split`). The words are passed to the program directly, never to a shell.
 */

/**
 * Splits `text` like POSIX-mode `shlex.split`: whitespace separates words; single quotes keep
 * everything literally; double quotes allow `\"`, `\\`, `\$` and `` \` `` escapes; a backslash
 * outside quotes escapes the next character; `#` is not a comment (shlex.split's default).
 * Throws on an unterminated quote or a trailing backslash, as shlex does.
 */
export function shlexSplit(text: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (/\s/.test(c)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
      i++
      continue
    }
    inWord = true
    if (c === "'") {
      const end = text.indexOf("'", i + 1)
      if (end < 0) throw new Error('No closing quotation')
      word += text.slice(i + 1, end)
      i = end + 1
    } else if (c === '"') {
      const [part, next] = readDoubleQuoted(text, i + 1)
      word += part
      i = next
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new Error('No escaped character')
      word += text[i + 1]
      i += 2
    } else {
      word += c
      i++
    }
  }
  if (inWord) words.push(word)
  return words
}

function readDoubleQuoted(text: string, start: number): [string, number] {
  let out = ''
  let i = start
  while (i < text.length) {
    const c = text[i] as string
    if (c === '"') return [out, i + 1]
    if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1] as string)) {
      out += text[i + 1]
      i += 2
      continue
    }
    out += c
    i++
  }
  throw new Error('No closing quotation')
}
