/**
 * The relay's switchboard: channel states fed by the consumer, sessions fed by sockets. Snapshots
 * wait until the start-up replay has caught up, so a client never mistakes half a topic for all of
 * it. Every update is encoded once and the same bytes go to every subscriber.
 */
import Value from 'typebox/value';
import { ClientMessage, PANELS_CHANNEL, WS_CLOSE } from '@pulse/contracts';
import type { ErrorMessage, PanelSpec } from '@pulse/contracts';
import { ChannelState } from './channel.js';
import type { ChannelSpec } from './config.js';
import { RELAY_ERRORS } from './constants.js';
import { decodeRecord, type Change } from './records.js';
import { Session, type SocketLike } from './session.js';

export interface HubOptions {
  channels: ChannelSpec[];
  epoch: string;
  historySize: number;
  windowSpanMs: number;
  clientBufferBytes: number;
  heartbeatTimeoutMs: number;
  now?: () => number;
  log?: { warn(obj: object, msg: string): void };
}

export interface HubStats {
  epoch: string;
  ready: boolean;
  clients: number;
  slowConsumersCut: number;
  deadClientsClosed: number;
  channels: Record<string, { topic: string; seq: number; rows: number; malformed: number }>;
}

export class Hub {
  private readonly channels = new Map<string, { spec: ChannelSpec; state: ChannelState }>();
  private readonly byTopic = new Map<string, ChannelSpec>();
  private readonly sessions = new Set<Session>();
  private nextId = 1;
  private ready = false;
  private readonly readyChannels = new Set<string>();
  private slowCut = 0;
  private deadClosed = 0;
  private readonly now: () => number;

  constructor(private readonly options: HubOptions) {
    this.now = options.now ?? Date.now;
    this.addChannels(options.channels);
    this.addChannels([{ name: PANELS_CHANNEL, topic: '', kind: 'table' }]);
  }

  /**
   * Adds the channels not served yet (a channel's name is its identity) and returns them. They
   * answer subscriptions once `markReady` names them, after their topic's replay.
   */
  addChannels(specs: ChannelSpec[]): ChannelSpec[] {
    const added: ChannelSpec[] = [];
    for (const spec of specs) {
      if (this.channels.has(spec.name)) continue;
      const state = new ChannelState({
        name: spec.name,
        kind: spec.kind,
        epoch: this.options.epoch,
        historySize: this.options.historySize,
        retainMs: spec.retainMs ?? this.options.windowSpanMs,
        timed: spec.timeColumn !== undefined,
      });
      this.channels.set(spec.name, { spec, state });
      if (spec.topic) this.byTopic.set(spec.topic, spec);
      added.push(spec);
    }
    return added;
  }

  /**
   * Replaces the declared panels the `$panels` channel lists (one row per panel, keyed by its id):
   * new and changed panels are upserted, panels of jobs no longer running deleted. The first call
   * makes the channel ready.
   */
  setPanels(panels: PanelSpec[], readAt = this.now()): void {
    const state = this.channels.get(PANELS_CHANNEL)?.state as ChannelState;
    const wanted = new Map(panels.map((p) => [p.id, p]));
    const held = new Map(state.snapshot().rows.map((r) => [r.key, r.row]));
    for (const key of held.keys())
      if (!wanted.has(key)) this.publish(PANELS_CHANNEL, { ok: true, op: 'delete', key }, readAt);
    for (const [key, panel] of wanted) {
      if (JSON.stringify(held.get(key)) === JSON.stringify(panel)) continue;
      this.publish(
        PANELS_CHANNEL,
        { ok: true, op: 'upsert', key, row: panel as unknown as Record<string, unknown> },
        readAt,
      );
    }
    this.markReady([PANELS_CHANNEL]);
  }

  /** The declared panels as the `$panels` channel lists them. */
  panels(): PanelSpec[] {
    const state = this.channels.get(PANELS_CHANNEL)?.state as ChannelState;
    return state.snapshot().rows.map((r) => r.row as unknown as PanelSpec);
  }

  private publish(channel: string, change: Extract<Change, { ok: true }>, readAt: number): void {
    const update = this.channels.get(channel)?.state.apply(change, readAt);
    if (!update) return;
    for (const session of this.sessions) {
      if (session.subscriptions.has(channel)) session.send(update.bytes);
    }
  }

  /** Feeds one Kafka record of `topic`; malformed ones are counted and skipped, never thrown. */
  ingest(topic: string, key: Buffer | null, value: Buffer | null, readAt: number): void {
    const spec = this.byTopic.get(topic);
    const entry = spec && this.channels.get(spec.name);
    if (!spec || !entry) return;
    const change = decodeRecord(spec, key, value);
    if (!change.ok) {
      entry.state.countMalformed();
      this.options.log?.warn(
        { channel: spec.name, topic, reason: change.reason },
        'skipped a malformed record',
      );
      return;
    }
    this.publish(spec.name, change, readAt);
  }

  /**
   * Marks channels as read up to where their topics ended when reading began (default: every
   * channel the hub started with) and sends the snapshots that were waiting for them.
   */
  markReady(names?: string[]): void {
    const channels = names ?? this.options.channels.map((c) => c.name);
    if (!names) this.ready = true;
    for (const name of channels) this.readyChannels.add(name);
    for (const session of this.sessions) {
      for (const channel of channels) {
        if (!session.pending.delete(channel)) continue;
        session.subscriptions.add(channel);
        this.sendSnapshot(session, channel);
      }
    }
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Registers a new socket; the caller forwards its messages to `receive` and its close to `drop`. */
  connect(socket: SocketLike): Session {
    const session = new Session(
      this.nextId++,
      socket,
      this.options.clientBufferBytes,
      this.now(),
      () => {
        this.slowCut++;
        this.sessions.delete(session);
      },
    );
    this.sessions.add(session);
    return session;
  }

  drop(session: Session): void {
    this.sessions.delete(session);
  }

  /** Handles one text frame from a client. */
  receive(session: Session, raw: string): void {
    session.lastSeen = this.now();
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      message = undefined;
    }
    if (!Value.Check(ClientMessage, message)) {
      this.sendError(session, {
        type: 'error',
        code: RELAY_ERRORS.badMessage,
        message: 'expected subscribe, unsubscribe or hb',
      });
      session.close(WS_CLOSE.badMessage, 'bad message');
      this.sessions.delete(session);
      return;
    }
    if (message.type === 'hb') {
      session.send(JSON.stringify({ type: 'hb', t: message.t }));
      return;
    }
    if (!this.channels.has(message.channel)) {
      this.sendError(session, {
        type: 'error',
        code: RELAY_ERRORS.unknownChannel,
        message: `no channel "${message.channel}"; known: ${[...this.channels.keys()].join(', ')}`,
        channel: message.channel,
      });
      return;
    }
    if (message.type === 'unsubscribe') {
      session.subscriptions.delete(message.channel);
      session.pending.delete(message.channel);
      return;
    }
    if (!this.readyChannels.has(message.channel)) {
      // Updates wait too: they would be applied to a snapshot the client does not have yet.
      session.pending.add(message.channel);
      return;
    }
    session.subscriptions.add(message.channel);
    const state = this.channels.get(message.channel)?.state as ChannelState;
    const missed = message.resume ? state.since(message.resume.epoch, message.resume.seq) : null;
    if (missed) for (const update of missed) session.send(update.bytes);
    else this.sendSnapshot(session, message.channel);
  }

  private sendSnapshot(session: Session, channel: string): void {
    const state = this.channels.get(channel)?.state;
    if (state) session.send(JSON.stringify(state.snapshot()));
  }

  private sendError(session: Session, error: ErrorMessage): void {
    session.send(JSON.stringify(error));
  }

  /** Sends a heartbeat (saying whether the Kafka feed reads) to everyone and closes clients silent for longer than the timeout. */
  heartbeat(feed?: 'up' | 'down'): void {
    const now = this.now();
    const beat = Buffer.from(JSON.stringify({ type: 'hb', t: now, ...(feed ? { feed } : {}) }));
    for (const session of this.sessions) {
      if (now - session.lastSeen > this.options.heartbeatTimeoutMs) {
        this.deadClosed++;
        session.close(WS_CLOSE.heartbeatTimeout, 'no heartbeat');
        this.sessions.delete(session);
      } else {
        session.send(beat);
      }
    }
  }

  /** Closes every client (shutdown); they reconnect to the next relay. */
  closeAll(): void {
    for (const session of this.sessions) session.close(WS_CLOSE.goingAway, 'relay shutting down');
    this.sessions.clear();
  }

  channel(name: string): ChannelState | undefined {
    return this.channels.get(name)?.state;
  }

  stats(): HubStats {
    const channels: HubStats['channels'] = {};
    for (const [name, { spec, state }] of this.channels) {
      channels[name] = {
        topic: spec.topic,
        seq: state.lastSeq,
        rows: state.size,
        malformed: state.malformed,
      };
    }
    return {
      epoch: this.options.epoch,
      ready: this.ready,
      clients: this.sessions.size,
      slowConsumersCut: this.slowCut,
      deadClientsClosed: this.deadClosed,
      channels,
    };
  }
}
