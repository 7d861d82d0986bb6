/**
 * Case changes for protocol tokens (methods, header names): ASCII letters only. Unicode rules
 * would turn `ſ` into `S`, `ı` into `I` and the Kelvin sign into `k`, so an invalid token
 * would go out as another, valid one instead of being refused.
 */
export function asciiUpperCase(text: string): string {
  return text.replace(LOWER, (run) => run.toUpperCase())
}

/** See {@link asciiUpperCase}. */
export function asciiLowerCase(text: string): string {
  return text.replace(UPPER, (run) => run.toLowerCase())
}

const LOWER = /[a-z]+/g
const UPPER = /[A-Z]+/g
