/** Short description of a value for error messages: `-1`, `"fast"`, `an instance of Map`. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (value === null || typeof value !== 'object') return String(value)
  if (Array.isArray(value)) return 'an array'
  return `an instance of ${value.constructor?.name ?? 'Object'}`
}
