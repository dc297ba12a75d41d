/**
 * The SQL gateway's sessions and operations. A session is a planner session that starts from the
 * shared tables; a statement becomes an operation answered by the planner; a query becomes a live
 * preview (a Flink job writing to a topic of its own). Limits on sessions and concurrent previews,
 * idle sessions closed, and everything a session started stopped when it closes.
 */
import { randomUUID } from 'node:crypto';
import type { SqlGatewayConfig } from '../config.js';
import { GatewayError } from './errors.js';
import { Operation, type Fetched } from './operation.js';
import type { Planner, PlannerAnswer } from './planner.js';
import { insertJobName, runInsert, type DeployInsert } from './insert.js';
import { Preview, type PreviewFlink, type PreviewKafka } from './preview.js';
import {
  checkSetting,
  looksLikeQuery,
  parseSet,
  previewLimits,
  trimStatement,
  type PreviewLimits,
} from './statements.js';
import { PREVIEW_JOB_PREFIX, PREVIEW_TOPIC_PREFIX, SESSION_KEYS } from './constants.js';

/** Who sent a statement: the operator's identity when the request carried the operator token. */
export interface Caller {
  operator?: string;
}

export type { DeployInsert } from './insert.js';

export interface GatewayOptions {
  config: SqlGatewayConfig;
  planner: Planner;
  kafka: PreviewKafka;
  flink: PreviewFlink & { version(): Promise<string> };
  /** Kafka as Flink's TaskManagers reach it (where preview jobs write). */
  previewBrokers: string;
  /** Names this control plane's previews apart from another's on the same cluster. */
  instance: string;
  /** The script every session starts from (the shared tables). */
  prelude: () => Promise<string>;
  deployInsert?: DeployInsert;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
  };
}

interface Session {
  id: string;
  name: string;
  lastAccess: number;
  operations: Map<string, Operation>;
  inserts: number;
}

export class SqlGateway {
  private readonly sessions = new Map<string, Session>();
  private readonly previews = new Set<Preview>();
  /** Why recent sessions were closed by the gateway itself (expired, lost), for their 404s. */
  private readonly gone = new Map<string, string>();
  private readonly sweeper: ReturnType<typeof setInterval>;
  private closing = false;

  constructor(private readonly o: GatewayOptions) {
    const every = Math.max(200, Math.min(o.config.sessionIdleMs / 2, 30_000));
    this.sweeper = setInterval(() => void this.expire(), every);
    this.sweeper.unref();
  }

  private get ceiling(): PreviewLimits {
    return { maxRows: this.o.config.previewMaxRows, timeoutMs: this.o.config.previewTimeoutMs };
  }

  /** Sessions open and previews running, for logs and tests. */
  stats(): { sessions: number; previews: number } {
    return { sessions: this.sessions.size, previews: this.previews.size };
  }

  /** The topics and Flink job names of the previews running now. */
  previewNames(): Set<string> {
    return new Set([...this.previews].flatMap((p) => [p.topic, p.jobName]));
  }

  version(): Promise<string> {
    return this.o.flink.version();
  }

  async openSession(properties: Record<string, string> = {}, name?: string): Promise<string> {
    if (this.closing) throw new GatewayError('PLANNER_UNAVAILABLE', 'the gateway is shutting down');
    if (this.sessions.size >= this.o.config.maxSessions)
      throw new GatewayError(
        'TOO_MANY_SESSIONS',
        `the SQL gateway holds ${this.o.config.maxSessions} sessions already (SQL_GATEWAY_MAX_SESSIONS); close one or wait for idle ones to expire`,
      );
    for (const [key, value] of Object.entries(properties)) checkSetting(key, value, this.ceiling);
    const id = randomUUID();
    const session: Session = {
      id,
      name: name ?? id,
      lastAccess: Date.now(),
      operations: new Map(),
      inserts: 0,
    };
    // Counted at once, so concurrent opens cannot pass the limit together.
    this.sessions.set(id, session);
    try {
      await this.o.planner.openSession(id, properties, await this.o.prelude());
    } catch (err) {
      this.sessions.delete(id);
      throw err;
    }
    this.o.log.info({ session: id, name: session.name }, 'SQL gateway session opened');
    return id;
  }

  private session(id: string): Session {
    const session = this.sessions.get(id);
    if (!session)
      throw new GatewayError(
        'SESSION_NOT_FOUND',
        `Session '${id}' does not exist${this.gone.has(id) ? `: ${this.gone.get(id)}` : ''}.`,
      );
    session.lastAccess = Date.now();
    return session;
  }

  private operation(sessionId: string, operationId: string): Operation {
    const op = this.session(sessionId).operations.get(operationId);
    if (!op)
      throw new GatewayError(
        'OPERATION_NOT_FOUND',
        `Can not find the submitted operation in the OperationManager with the ${operationId}.`,
      );
    return op;
  }

  heartbeat(id: string): void {
    this.session(id);
  }

  /** Everything SET in the session, with the preview limits in force when it set none. */
  async properties(id: string): Promise<Record<string, string>> {
    this.session(id);
    const properties = await this.o.planner.properties(id);
    return {
      [SESSION_KEYS.maxRows]: String(this.o.config.previewMaxRows),
      [SESSION_KEYS.timeout]: `${this.o.config.previewTimeoutMs} ms`,
      ...properties,
    };
  }

  async closeSession(id: string, why?: string): Promise<void> {
    const session = this.session(id);
    this.sessions.delete(id);
    if (why) {
      this.gone.set(id, why);
      if (this.gone.size > 1000) this.gone.delete(this.gone.keys().next().value!);
    }
    await Promise.all([...session.operations.values()].map((op) => op.stop('CLOSED')));
    await this.o.planner.closeSession(id).catch((err: unknown) => {
      this.o.log.warn({ err, session: id }, 'the planner could not close a session');
    });
    this.o.log.info({ session: id, why: why ?? 'closed' }, 'SQL gateway session closed');
  }

  /** Starts a statement; its operation runs on while the caller fetches its result. */
  execute(sessionId: string, statement: string, caller: Caller = {}): string {
    const session = this.session(sessionId);
    const op = new Operation(statement);
    session.operations.set(op.id, op);
    void this.run(session, op, caller).catch((err: unknown) => {
      op.fail(
        err instanceof GatewayError
          ? this.lost(session, err)
          : new GatewayError('PLANNER_FAILED', err instanceof Error ? err.message : String(err)),
      );
    });
    return op.id;
  }

  /**
   * The planner no longer knows a session the gateway holds (it restarted): the session is closed
   * here too, and the error says to open a new one.
   */
  private lost(session: Session, err: GatewayError): GatewayError {
    if (err.code !== 'SESSION_NOT_FOUND' || !this.sessions.has(session.id)) return err;
    const why = 'the SQL planner no longer holds it (it restarted); open a new session';
    void this.closeSession(session.id, why).catch(() => undefined);
    return new GatewayError('SESSION_NOT_FOUND', `Session '${session.id}' is gone: ${why}.`, {
      cause: err,
    });
  }

  /** Runs a statement to its end (configure-session): its error is thrown. */
  async configure(sessionId: string, statement: string, caller: Caller = {}): Promise<void> {
    const opId = this.execute(sessionId, statement, caller);
    const op = this.operation(sessionId, opId);
    try {
      while (op.status === 'RUNNING') {
        const page = await op.fetch(0);
        if (page.type !== 'NOT_READY') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      if (op.status === 'ERROR') await op.fetch(0);
    } finally {
      this.session(sessionId).operations.delete(opId);
      await op.stop('CLOSED');
    }
  }

  private async run(session: Session, op: Operation, caller: Caller): Promise<void> {
    const text = trimStatement(op.statement);
    const set = parseSet(text);
    if (set) checkSetting(set.key, set.value, this.ceiling);
    if (looksLikeQuery(text)) return this.preview(session, op, text);
    const answer = await this.o.planner.statement(session.id, text);
    // A query the simple look missed ("(SELECT ...)" and the like): run it as a preview.
    if (answer.resultType === 'QUERY') return this.preview(session, op, text);
    return this.answer(session, op, text, answer, caller);
  }

  private async answer(
    session: Session,
    op: Operation,
    statement: string,
    answer: PlannerAnswer,
    caller: Caller,
  ): Promise<void> {
    if (answer.resultType === 'TABLE') {
      op.begin(
        { isQueryResult: false, resultKind: answer.resultKind, columns: answer.columns },
        answer.rows,
      );
      return;
    }
    if (answer.resultType === 'INSERT') {
      const { header, rows } = await runInsert({
        allowed: this.o.config.allowInsert,
        deploy: this.o.deployInsert,
        operator: caller.operator,
        job: () => insertJobName(session.id, ++session.inserts),
        script: answer.script,
        statement,
      });
      op.begin(header, rows);
      return;
    }
    throw new GatewayError('PLANNER_FAILED', `unexpected planner answer for: ${statement}`);
  }

  private async preview(session: Session, op: Operation, statement: string): Promise<void> {
    const running = [...this.previews].filter((p) => !p.ended).length;
    if (running >= this.o.config.maxPreviews)
      throw new GatewayError(
        'TOO_MANY_PREVIEWS',
        `${running} previews run already, the most the operator allows at once (SQL_GATEWAY_MAX_PREVIEWS = ${this.o.config.maxPreviews}); close a result or try again when one ends`,
      );
    const limits = previewLimits(await this.o.planner.properties(session.id), this.ceiling);
    const name = `${this.o.instance}-${op.id}`;
    const preview = new Preview({
      topic: `${PREVIEW_TOPIC_PREFIX}${name}`,
      jobName: `${PREVIEW_JOB_PREFIX}${name}`,
      limits,
      buffer: op.buffer,
      kafka: this.o.kafka,
      flink: this.o.flink,
      log: this.o.log,
      onEnd: (reason, failure) => {
        this.previews.delete(preview);
        if (failure) op.fail(failure);
      },
    });
    this.previews.add(preview);
    op.preview = preview;
    try {
      await preview.prepare();
      if (op.status !== 'RUNNING') return;
      const answer = await this.o.planner.statement(session.id, statement, {
        topic: preview.topic,
        bootstrapServers: this.o.previewBrokers,
        jobName: `${PREVIEW_JOB_PREFIX}${name}`,
      });
      if (answer.resultType !== 'QUERY' || !answer.jobId) {
        await preview.end('cancelled');
        return this.answer(session, op, statement, answer, {});
      }
      op.begin({
        isQueryResult: true,
        resultKind: 'SUCCESS_WITH_CONTENT',
        columns: answer.columns,
        jobId: answer.jobId,
      });
      await preview.run(answer.jobId);
    } catch (err) {
      await preview.end('cancelled');
      throw err;
    }
  }

  async fetch(sessionId: string, operationId: string, token: number): Promise<Fetched> {
    return this.operation(sessionId, operationId).fetch(token);
  }

  status(sessionId: string, operationId: string): string {
    return this.operation(sessionId, operationId).status;
  }

  async cancel(sessionId: string, operationId: string): Promise<string> {
    const op = this.operation(sessionId, operationId);
    await op.stop('CANCELED');
    return op.status;
  }

  async closeOperation(sessionId: string, operationId: string): Promise<string> {
    const op = this.operation(sessionId, operationId);
    this.session(sessionId).operations.delete(operationId);
    await op.stop('CLOSED');
    return 'CLOSED';
  }

  complete(sessionId: string, statement: string, position: number): Promise<string[]> {
    this.session(sessionId);
    return this.o.planner.complete(sessionId, statement, position);
  }

  /** Closes the sessions nobody has touched within the idle time (their previews end). */
  async expire(now = Date.now()): Promise<string[]> {
    const idle = [...this.sessions.values()].filter(
      (s) => now - s.lastAccess > this.o.config.sessionIdleMs,
    );
    await Promise.all(
      idle.map((s) =>
        this.closeSession(
          s.id,
          `it expired, no request or heartbeat came for ${this.o.config.sessionIdleMs} ms (SQL_GATEWAY_SESSION_IDLE)`,
        ),
      ),
    );
    return idle.map((s) => s.id);
  }

  /** Closes every session (shutdown): their previews are cancelled and topics deleted. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    await Promise.all(
      [...this.sessions.keys()].map((id) => this.closeSession(id, 'the gateway shut down')),
    );
    await Promise.all([...this.previews].map((p) => p.end('cancelled')));
  }
}
