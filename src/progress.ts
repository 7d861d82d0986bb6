import { isFunction } from './options.js'
import type { Progress, ProgressCallback, RequestOptions } from './types.js'

/** A request's progress callbacks, validated. */
export interface ProgressCallbacks {
  upload: ProgressCallback | null
  download: ProgressCallback | null
}

/** `onUploadProgress` and `onDownloadProgress` of a request, or `null` when neither is set. */
export function progressCallbacks(
  o: Pick<RequestOptions, 'onUploadProgress' | 'onDownloadProgress'>,
): ProgressCallbacks | null {
  const upload = callback(o.onUploadProgress, 'onUploadProgress')
  const download = callback(o.onDownloadProgress, 'onDownloadProgress')
  return upload === null && download === null ? null : { upload, download }
}

function callback(value: unknown, name: string): ProgressCallback | null {
  return value !== null && isFunction(value, name) ? (value as ProgressCallback) : null
}

/** Fewest milliseconds between two reports of one transfer, so large transfers stay cheap. */
const REPORT_INTERVAL_MS = 50

/**
 * Counts the bytes of one transfer and reports them to `callback`: at most once per
 * {@link REPORT_INTERVAL_MS} while it runs, and exactly once at 100 % when it ends. A transfer
 * that fails is never reported as complete.
 */
export class ProgressReporter {
  readonly #callback: ProgressCallback
  readonly #onError: (error: unknown) => void
  readonly #total: number
  #transferred = 0
  #lastReport = 0
  #finished = false

  /**
   * `total` is 0 when the size is not known in advance. When `callback` throws, reporting
   * stops and `onError` gets what it threw (the request then fails with it).
   */
  constructor(callback: ProgressCallback, total: number, onError: (error: unknown) => void) {
    this.#callback = callback
    this.#total = total
    this.#onError = onError
  }

  /** `bytes` more were transferred; reaching a known total finishes the transfer. */
  add(bytes: number): void {
    if (this.#finished || bytes === 0) return
    this.#transferred += bytes
    if (this.#total > 0 && this.#transferred >= this.#total) {
      this.finish()
      return
    }
    const now = performance.now()
    if (now - this.#lastReport < REPORT_INTERVAL_MS) return
    this.#lastReport = now
    this.#report(this.#total > 0 ? this.#transferred / this.#total : 0)
  }

  /**
   * The transfer ended: reports 100 % (once; later calls do nothing), unless a known total was
   * not reached (the request then fails).
   */
  finish(): void {
    if (this.#finished || this.#transferred < this.#total) return
    this.#finished = true
    this.#report(1)
  }

  /** Bytes expected in all; 0 when unknown. */
  get total(): number {
    return this.#total
  }

  #report(percent: number): void {
    const progress: Progress = {
      transferredBytes: this.#transferred,
      totalBytes: this.#total,
      percent,
    }
    try {
      this.#callback(progress)
    } catch (error) {
      this.#finished = true
      this.#onError(error)
    }
  }
}

/** The size a response body will have once decoded, from its raw head; 0 when unknown. */
export function expectedBodySize(contentLength: string | undefined, encoded: boolean): number {
  if (encoded || contentLength === undefined) return 0
  const size = Number(contentLength)
  return Number.isSafeInteger(size) && size >= 0 ? size : 0
}
