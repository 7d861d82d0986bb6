/** Ids run from 1 to this, then start again at 1 (the binding takes a u32; ids stay positive). */
export const MAX_ID = 0x7fffffff

/**
 * The live exchanges of a dispatcher by id: an array indexed by the id's low bits, which hands
 * out the ids itself so that two live ones never share a slot, and stays at least half empty.
 * It does not shrink: it keeps two to four slots (16-32 bytes) per request of the most ever in
 * flight at once.
 *
 * Why not a `Map`: at tens of thousands of requests a second, a `Map` that every request enters
 * and leaves kept V8 in a loop of major collections, with each young-generation collection
 * keeping about 10 % of what the thread allocated (pauses of 6-7 ms, against about 1 ms with
 * this table; `node bench/micro/gc-pauses.mjs`, HTTP/1.1 200 B, 64 in flight), and those
 * pauses were the p99 latency. Writing into and clearing a slot of one long-lived array does
 * not.
 */
export class LiveTable<T extends { readonly id: number }> {
  #slots: Array<T | undefined> = new Array(64).fill(undefined)
  #mask = 63
  #size = 0
  #lastId: number

  /** `lastId`: the id before the first one handed out (tests start near the wrap). */
  constructor(lastId = 0) {
    this.#lastId = lastId
  }

  /** How many are live. */
  get size(): number {
    return this.#size
  }

  /**
   * A free id for the next entry: the one after the last, skipping ids whose slot is taken
   * (after `MAX_ID` comes 1). Grows the table first when it is half full.
   */
  nextId(): number {
    if ((this.#size + 1) * 2 > this.#slots.length) this.#grow()
    let id = this.#lastId
    do {
      id = id >= MAX_ID ? 1 : id + 1
    } while (this.#slots[id & this.#mask] !== undefined)
    this.#lastId = id
    return id
  }

  /** Adds `entry`, whose id came from {@link nextId} (its slot is free). */
  add(entry: T): void {
    this.#slots[entry.id & this.#mask] = entry
    this.#size++
  }

  /** The live entry with this id, if any. */
  get(id: number): T | undefined {
    const entry = this.#slots[id & this.#mask]
    return entry !== undefined && entry.id === id ? entry : undefined
  }

  /** Removes `entry` if it is live. */
  delete(entry: T): void {
    const index = entry.id & this.#mask
    if (this.#slots[index] !== entry) return
    this.#slots[index] = undefined
    this.#size--
  }

  /** The live entries, in no particular order (a copy: deleting while iterating is safe). */
  values(): T[] {
    const live: T[] = []
    for (const entry of this.#slots) if (entry !== undefined) live.push(entry)
    return live
  }

  /** Twice the slots; the live ids keep their slots' low bits, so none collide. */
  #grow(): void {
    const slots: Array<T | undefined> = new Array(this.#slots.length * 2).fill(undefined)
    const mask = slots.length - 1
    for (const entry of this.#slots) if (entry !== undefined) slots[entry.id & mask] = entry
    this.#slots = slots
    this.#mask = mask
  }
}
