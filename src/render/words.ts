/** Counted words in messages: `1 record`, `2 records`, `2 batches`, `3 retries`. */
export function plural(n: number, word: string): string {
  if (n === 1) return `${n} ${word}`;
  if (/(s|x|ch|sh)$/.test(word)) return `${n} ${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${n} ${word.slice(0, -1)}ies`;
  return `${n} ${word}s`;
}
