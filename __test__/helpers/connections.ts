import type net from 'node:net'

/**
 * Records the TCP connections a server accepts. A connection is identified by the client's
 * ephemeral port, which handlers can read from `req.socket.remotePort` on any server kind.
 */
export class ConnectionTracker {
  readonly sockets: net.Socket[] = []
  private openCount = 0
  private peakOpen = 0
  private readonly waiters: Array<(socket: net.Socket) => void> = []

  add(socket: net.Socket): void {
    this.sockets.push(socket)
    this.openCount += 1
    this.peakOpen = Math.max(this.peakOpen, this.openCount)
    socket.once('close', () => {
      this.openCount -= 1
    })
    for (const waiter of this.waiters.splice(0)) waiter(socket)
  }

  /** Connections accepted so far. */
  get total(): number {
    return this.sockets.length
  }

  /** Connections open right now. */
  get open(): number {
    return this.openCount
  }

  /** Most connections that were ever open at the same time. */
  get maxOpen(): number {
    return this.peakOpen
  }

  /** Client ports of every accepted connection, in order. */
  get remotePorts(): number[] {
    return this.sockets.map((socket) => socket.remotePort ?? -1)
  }

  /** Resolves when `socket` has closed (immediately if it already has). */
  closed(socket: net.Socket): Promise<void> {
    if (socket.closed) return Promise.resolve()
    return new Promise((resolve) => socket.once('close', () => resolve()))
  }

  /** Resolves with the next connection the server accepts. */
  next(): Promise<net.Socket> {
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy()
  }
}
