// Drives a NativeClient the way the facade does: ids chosen here, one event batch per
// JS call, streamed bodies pulled with read(id). Resolves with [status, body length];
// `reads` counts the read(id) calls made so far.
//
// `whole` (the third constructor argument) makes it gather each body into one Buffer, as
// `arrayBuffer()` does: 'concat' pulls pieces with read(id) and joins them with
// Buffer.concat; 'readAll' asks readAll(id, prefix) for the rest in one engine-made buffer.

export class NativeDriver {
  #client
  #pending = new Map()
  #nextId = 0
  reads = 0

  #slots

  // `binding` is the loader's exports: NativeClient, and EVENT_SLOTS (values per event record,
  // as crates/node/README.md specifies).
  #whole

  constructor(binding, options, whole) {
    this.#whole = whole
    this.#slots = binding.EVENT_SLOTS
    this.#client = new binding.NativeClient(options, (events) => this.#onEvents(events))
    this.#client.ref()
  }

  request(method, url) {
    this.#nextId = (this.#nextId % 0x7fffffff) + 1
    const id = this.#nextId
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, status: 0, length: 0, chunks: [] })
      try {
        this.#client.request(id, method, url, [], null, null)
      } catch (error) {
        this.#pending.delete(id)
        reject(error)
      }
    })
  }

  close() {
    this.#client.unref()
    this.#client.close()
  }

  #onEvents(events) {
    if (events.length % this.#slots !== 0) return this.#failAll(events.length)
    for (let i = 0; i < events.length; i += this.#slots) {
      const id = events[i + 1]
      const request = this.#pending.get(id)
      if (!request) continue
      switch (events[i]) {
        case 1:
          request.status = events[i + 2]
          this.#add(request, events[i + 4])
          if (this.#whole === 'readAll' && events[i + 5] !== true) {
            this.reads++
            this.#client.readAll(id, request.chunks.pop() ?? null)
            request.length = 0
            break
          }
          this.#next(id, request, events[i + 5])
          break
        case 2:
          this.#add(request, events[i + 2])
          this.#next(id, request, events[i + 3])
          break
        case 3: {
          this.#pending.delete(id)
          const error = new Error(events[i + 3])
          error.code = events[i + 2]
          request.reject(error)
          break
        }
      }
    }
  }

  // A batch that is not whole records means the contract changed: fail, never misread.
  #failAll(length) {
    const error = new Error(
      `an event batch of ${length} values is not whole ${this.#slots}-slot records (see crates/node/README.md)`,
    )
    for (const request of this.#pending.values()) request.reject(error)
    this.#pending.clear()
  }

  #add(request, chunk) {
    if (chunk === undefined) return
    request.length += chunk.length
    if (this.#whole) request.chunks.push(chunk)
  }

  // read(id) either returns bytes the engine already holds (an empty Buffer: the body ended)
  // or nothing, and then one CHUNK or ERROR event answers later.
  #next(id, request, complete) {
    while (!complete) {
      this.reads++
      const chunk = this.#client.read(id)
      if (chunk == null) return
      this.#add(request, chunk)
      complete = chunk.length === 0
    }
    this.#pending.delete(id)
    if (this.#whole === 'concat' && request.chunks.length > 1) {
      request.length = Buffer.concat(request.chunks).length
    }
    request.resolve([request.status, request.length])
  }
}
