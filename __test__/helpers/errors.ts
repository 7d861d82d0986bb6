import { rejectionOf } from './async.js'

/** The error a request fails with, whether at the response head or while reading the body. */
export async function failureOf(
  response: Promise<{ arrayBuffer(): Promise<ArrayBuffer> }>,
): Promise<unknown> {
  return rejectionOf(response.then((res) => res.arrayBuffer()))
}
