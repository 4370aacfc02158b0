/** String fields of a form body; anything else (arrays, objects from `a[b]=c`) reads as empty. */
export function formFields<K extends string>(body: unknown, names: K[]): Record<K, string> {
  const source = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return Object.fromEntries(
    names.map((name) => [name, typeof source[name] === 'string' ? source[name] : '']),
  ) as Record<K, string>;
}

/** A query-string value as one trimmed string ('' when absent or repeated). */
export function queryText(query: unknown, name: string): string {
  const value = (query && typeof query === 'object' ? (query as Record<string, unknown>)[name] : undefined) ?? '';
  return typeof value === 'string' ? value.trim() : '';
}
