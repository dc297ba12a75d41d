/**
 * One connected client: what it subscribed to, when it was last heard from, and a bounded send
 * buffer. Sending never waits: a client whose socket already holds more than its budget is cut
 * off with a close code that tells it to reconnect and resume, so one slow reader never holds
 * back the broadcast to the others.
 */
import { WS_CLOSE } from '@pulse/contracts';

/** The part of a `ws` WebSocket a session uses (a stub in unit tests). */
export interface SocketLike {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: Buffer | string, options: { binary: boolean }): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

const OPEN = 1;

export class Session {
  readonly subscriptions = new Set<string>();
  /** Channels subscribed before the start-up replay finished; their snapshot comes when it does. */
  readonly pending = new Set<string>();
  lastSeen: number;
  private closed = false;

  constructor(
    readonly id: number,
    private readonly socket: SocketLike,
    private readonly bufferBytes: number,
    now: number,
    private readonly onSlow: (session: Session) => void = () => {},
  ) {
    this.lastSeen = now;
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === OPEN;
  }

  /**
   * Queues bytes for the client. Returns false (and closes the socket) when the client has fallen
   * behind: more than the budget is already waiting. A message is always accepted onto an empty
   * buffer, so one large snapshot still goes out.
   */
  send(bytes: Buffer | string): boolean {
    if (!this.isOpen) return false;
    const queued = this.socket.bufferedAmount;
    if (queued > 0 && queued + bytes.length > this.bufferBytes) {
      this.close(WS_CLOSE.slowConsumer, 'send buffer full; reconnect and resume');
      this.onSlow(this);
      return false;
    }
    // Text frames: browsers hand binary frames to onmessage as Blobs, which the page cannot parse.
    this.socket.send(bytes, { binary: false });
    return true;
  }

  /** Closes politely; a socket that cannot even take a close frame is dropped. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
  }

  /** Drops the connection without a handshake (dead peer). */
  terminate(): void {
    this.closed = true;
    this.socket.terminate();
  }
}
