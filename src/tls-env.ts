/** Node's own warning, word for word, so log filters written for Node catch it too. */
const WARNING =
  "Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0' makes TLS connections and HTTPS requests insecure by disabling certificate verification."

let warned = false

/**
 * Node's rule for clients without an explicit `tls.rejectUnauthorized`:
 * `NODE_TLS_REJECT_UNAUTHORIZED=0` turns certificate verification off, with one warning per
 * process. Read when a client is created (the shared `fetch` client: at the first call).
 * Returns `false` when verification is off, `undefined` to keep the engine's default.
 */
export function tlsVerifyFromEnv(): false | undefined {
  if (process.env.NODE_TLS_REJECT_UNAUTHORIZED !== '0') return undefined
  if (!warned) {
    warned = true
    process.emitWarning(WARNING)
  }
  return false
}
