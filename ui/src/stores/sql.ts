/**
 * The SQL page's state: one gateway session while the page is open (heartbeats keep it alive),
 * the session's tables and columns, and the statement that runs: a catalog answer as a table,
 * or a query's preview kept up to date page by page until it ends or is stopped.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import {
  SqlGatewayError,
  closeOperation,
  closeSession,
  closeSessionOnExit,
  completeStatement,
  executeStatement,
  fetchResults,
  firstResultUri,
  getSessionConfig,
  heartbeat,
  openSession,
  type ColumnInfo,
  type FetchResultsBody,
} from '../api/sqlGateway.js';
import {
  applyChangelog,
  emptyTable,
  endReason,
  limitsFrom,
  pollDelay,
  type EndReason,
  type PreviewTable,
} from '../lib/sqlPreview.js';
import {
  changesCatalog,
  errorMessage,
  errorRange,
  parseErrorPosition,
  type SqlPosition,
} from '../lib/sqlText.js';

/** How often the page tells the gateway it is still open. */
export const HEARTBEAT_MS = 30_000;

export interface TableInfo {
  name: string;
  columns: Array<{ name: string; type: string }>;
}

export interface SqlResult {
  statement: string;
  columns: ColumnInfo[];
  table: PreviewTable;
  isQuery: boolean;
  status: 'running' | 'ended';
  reason: EndReason | null;
  jobId: string | null;
}

export interface SqlError {
  message: string;
  position: SqlPosition | null;
  /** The editor range to mark, when Flink names a position. */
  range: { from: number; to: number } | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const asGatewayError = (err: unknown) =>
  err instanceof SqlGatewayError ? err : new SqlGatewayError(0, [String(err)]);

export const useSqlStore = defineStore('sql', () => {
  const session = ref<string | null>(null);
  const sessionError = ref<string | null>(null);
  const tables = ref<TableInfo[]>([]);
  const tablesLoading = ref(false);
  const result = shallowRef<SqlResult | null>(null);
  const error = ref<SqlError | null>(null);
  // Read through a function: the loop's awaits let other calls change it.
  const current = (): SqlResult | null => result.value;
  let operation: string | null = null;
  /** Bumped by every run and stop, so a superseded fetch loop ends. */
  let generation = 0;
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  let opening: Promise<string> | null = null;

  async function ensureSession(): Promise<string> {
    if (session.value) return session.value;
    opening ??= openSession({}, 'dashboard')
      .then((handle) => {
        session.value = handle;
        sessionError.value = null;
        return handle;
      })
      .finally(() => (opening = null));
    return opening;
  }

  /** Opens the session, keeps it alive and reads its tables. */
  async function open(): Promise<void> {
    clearInterval(heartbeatTimer);
    heartbeatTimer = setInterval(() => void beat(), HEARTBEAT_MS);
    try {
      await ensureSession();
    } catch (err) {
      sessionError.value = errorMessage(asGatewayError(err).errors);
      return;
    }
    await loadTables();
  }

  async function beat(): Promise<void> {
    if (!session.value) return;
    try {
      await heartbeat(session.value);
    } catch (err) {
      // Expired or closed by the gateway: the next statement opens a new session.
      if (asGatewayError(err).status === 404) session.value = null;
    }
  }

  /** Closes the session when the page is left inside the app. */
  async function close(): Promise<void> {
    clearInterval(heartbeatTimer);
    generation++;
    const handle = session.value;
    session.value = null;
    operation = null;
    if (handle) await closeSession(handle).catch(() => {});
  }

  /** Closes the session as the browser leaves the page (pagehide). */
  function closeOnExit(): void {
    clearInterval(heartbeatTimer);
    generation++;
    if (session.value) closeSessionOnExit(session.value);
    session.value = null;
  }

  /** Starts a statement, opening a new session once if the old one lapsed. */
  async function start(statement: string): Promise<{ handle: string; op: string }> {
    const handle = await ensureSession();
    try {
      return { handle, op: await executeStatement(handle, statement) };
    } catch (err) {
      if (asGatewayError(err).status !== 404) throw err;
      session.value = null;
      const fresh = await ensureSession();
      return { handle: fresh, op: await executeStatement(fresh, statement) };
    }
  }

  /** Reads every page of a statement that is not a query (SHOW, DESCRIBE, ...). */
  async function collect(statement: string): Promise<unknown[][]> {
    const { handle, op } = await start(statement);
    let uri: string | undefined = firstResultUri(handle, op);
    let table = emptyTable();
    let delay = 0;
    while (uri) {
      const page: FetchResultsBody = await fetchResults(uri);
      table = applyChangelog(table, page.results?.data ?? []);
      uri = page.resultType === 'EOS' ? undefined : page.nextResultUri;
      delay = pollDelay(page, delay);
      if (uri && delay) await sleep(delay);
    }
    await closeOperation(handle, op).catch(() => {});
    return table.rows.map((r) => r.fields);
  }

  /** SHOW TABLES, then DESCRIBE each: the side list and the editor's completion schema. */
  async function loadTables(): Promise<void> {
    tablesLoading.value = true;
    try {
      const names = (await collect('SHOW TABLES')).map((r) => String(r[0]));
      const described: TableInfo[] = [];
      for (const name of names) {
        const rows = await collect(`DESCRIBE \`${name.replace(/`/g, '``')}\``).catch(() => []);
        described.push({
          name,
          columns: rows.map((r) => ({ name: String(r[0]), type: String(r[1] ?? '') })),
        });
      }
      tables.value = described;
    } catch (err) {
      sessionError.value = errorMessage(asGatewayError(err).errors);
    } finally {
      tablesLoading.value = false;
    }
  }

  function fail(err: unknown, doc: string, from: number): void {
    const message = errorMessage(asGatewayError(err).errors);
    const position = parseErrorPosition(message);
    error.value = { message, position, range: position ? errorRange(doc, from, position) : null };
  }

  /**
   * Runs one statement; `doc` and `from` say where it stands in the editor, so an error is
   * marked there. A statement still running is closed first.
   */
  async function run(statement: string, doc = statement, from = 0): Promise<void> {
    await stop();
    const mine = ++generation;
    error.value = null;
    result.value = null;
    const started = Date.now();
    let handle: string;
    try {
      ({ handle, op: operation } = await start(statement));
    } catch (err) {
      if (mine === generation) fail(err, doc, from);
      return;
    }
    const op = operation;
    const limits = getSessionConfig(handle)
      .then(limitsFrom)
      .catch(() => limitsFrom({}));
    let uri: string | undefined = firstResultUri(handle, op);
    let delay = 0;
    try {
      while (uri && mine === generation) {
        const page = await fetchResults(uri);
        if (mine !== generation) return;
        const previous = current();
        // Nothing is known before the first page with rows or columns: keep the table away.
        if (page.resultType === 'NOT_READY' && !previous) {
          uri = page.nextResultUri;
          delay = pollDelay(page, delay);
          if (uri) await sleep(delay);
          continue;
        }
        const table = applyChangelog(previous?.table ?? emptyTable(), page.results?.data ?? []);
        const ended = page.resultType === 'EOS';
        const isQuery = page.isQueryResult ?? previous?.isQuery ?? false;
        result.value = {
          statement,
          columns: page.results?.columns ?? previous?.columns ?? [],
          table,
          isQuery,
          status: ended ? 'ended' : 'running',
          reason: ended
            ? isQuery
              ? endReason(table.records, Date.now() - started, await limits)
              : 'finished'
            : null,
          jobId: page.jobID ?? previous?.jobId ?? null,
        };
        uri = ended ? undefined : page.nextResultUri;
        delay = pollDelay(page, delay);
        if (uri && delay) await sleep(delay);
      }
    } catch (err) {
      if (mine !== generation) return;
      fail(err, doc, from);
      if (result.value) result.value = { ...result.value, status: 'ended', reason: null };
      return;
    }
    if (mine !== generation) return;
    operation = null;
    await closeOperation(handle, op).catch(() => {});
    if (changesCatalog(statement)) await loadTables();
  }

  /** Stops the statement that runs: closes its operation, which cancels a preview's job. */
  async function stop(): Promise<void> {
    generation++;
    const op = operation;
    operation = null;
    if (result.value?.status === 'running')
      result.value = { ...result.value, status: 'ended', reason: 'stopped' };
    if (op && session.value) await closeOperation(session.value, op).catch(() => {});
  }

  /** The gateway's completion hints; none when it has none or cannot answer. */
  async function complete(statement: string, position: number): Promise<string[]> {
    if (!session.value) return [];
    return completeStatement(session.value, statement, position).catch(() => []);
  }

  return {
    session,
    sessionError,
    tables,
    tablesLoading,
    result,
    error,
    open,
    close,
    closeOnExit,
    loadTables,
    run,
    stop,
    complete,
  };
});
