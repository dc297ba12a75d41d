/**
 * Whether the state of one version of a job means the same thing in another, decided from the
 * two job graphs before anything is stopped. Flink restores state by operator id, and the ids of
 * a SQL job come from the graph's shape, not from what the operators compute: a 60 s window that
 * becomes a 120 s window, or a source that now reads another topic, keeps its id and would restore
 * state that means something else. So each vertex is printed by what its stateful operators do
 * (aggregates with their windows and outputs, joins, ranks, the tables sources read and sinks
 * write), and the two versions are compared vertex by vertex.
 */
import { scriptTables } from './sql-tables.js';

/** One vertex of a job graph and what its state stands for. */
export interface VertexPrint {
  id: string;
  /** A short name for messages: its stateful operators, or the first operator. */
  label: string;
  /** The stateful operators, each as Flink describes it; empty: the vertex holds no state. */
  state: string[];
}

export type VerdictKind = 'compatible' | 'drops-state' | 'incompatible';

export interface Verdict {
  verdict: VerdictKind;
  /** One line for the operator: `compatible`, `drops state of <operators>`, `incompatible: ...`. */
  summary: string;
  /** Vertices whose state has no place in the new version. */
  dropped: string[];
  /** Vertices whose state the new version would read with another meaning. */
  changed: { vertex: string; before: string[]; after: string[] }[];
  /** New stateful vertices: they start empty. */
  added: string[];
}

// Operators that keep state between records (Flink 1.12 blink planner names).
const STATEFUL =
  /^(GroupAggregate|GlobalGroupAggregate|IncrementalGroupAggregate|GroupWindowAggregate|GroupTableAggregate|WindowAggregate|Join|IntervalJoin|TemporalJoin|WindowJoin|Rank|Deduplicate|OverAggregate|Match|Limit|SortLimit|Sort|ChangelogNormalize)$/;
// What decides which records a source reads; the rest (brokers, group id, start) does not.
const SOURCE_OPTIONS = ['connector', 'topic', 'topic-pattern', 'url', 'table-name', 'path'];

const unescape = (text: string): string =>
  text
    .replace(/<br\s*\/?>/g, ' ')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The operators of a vertex description: `Name(args)` at any nesting of `->` chains. */
export function operatorsOf(description: string): { name: string; text: string }[] {
  const text = unescape(description);
  const out: { name: string; text: string }[] = [];
  const head = /(?:^|[\s(,>])((?:Source: |Sink: )?[A-Z][A-Za-z]*)\(/g;
  let m: RegExpExecArray | null;
  while ((m = head.exec(text))) {
    const start = m.index + m[0].length - 1;
    let depth = 0;
    let end = start;
    for (; end < text.length; end++) {
      if (text[end] === '(' || text[end] === '[') depth++;
      else if (text[end] === ')' || text[end] === ']') depth--;
      if (depth === 0) break;
    }
    out.push({ name: m[1]!, text: `${m[1]!}${text.slice(start, end + 1)}` });
    head.lastIndex = end + 1;
  }
  return out;
}

interface PlanNode {
  id: string;
  description: string;
}

/** Prints every vertex of Flink's plan (`/jars/:id/plan` or `/jobs/:jid/plan`) of `script`. */
export function printPlan(plan: unknown, script: string): VertexPrint[] {
  const nodes = ((plan as { plan?: { nodes?: PlanNode[] } }).plan?.nodes ??
    (plan as { nodes?: PlanNode[] }).nodes ??
    []) as PlanNode[];
  const { tables } = scriptTables(script);
  const tableOf = (text: string): string | undefined =>
    /table=\[\[?(?:[^,\]]+, ?){2}([^,\]]+)/.exec(text)?.[1] ??
    /table=\[(?:[^.\]]+\.){2}([^\],]+)/.exec(text)?.[1];
  return nodes.map((node) => {
    const ops = operatorsOf(node.description);
    const state: string[] = [];
    for (const op of ops) {
      if (op.name.startsWith('Source: ')) {
        const table = tableOf(op.text) ?? '?';
        const options = tables.get(table)?.options ?? {};
        const what = SOURCE_OPTIONS.filter((k) => options[k] !== undefined)
          .map((k) => `${k}=${options[k]}`)
          .join(', ');
        state.push(`Source ${table}${what ? ` (${what})` : ''}`);
      } else if (op.name.startsWith('Sink: ')) {
        state.push(`Sink ${tableOf(op.text) ?? '?'}`);
      } else if (STATEFUL.test(op.name)) {
        state.push(op.text.replace(/\s+/g, ' '));
      }
    }
    const label =
      state.map((s) => s.replace(/\(.*$/s, '').trim()).join(' → ') || (ops[0]?.name ?? node.id);
    return { id: node.id, label, state };
  });
}

/**
 * Compares the state of `before` (what runs, or what a savepoint holds) with what `after` would
 * restore: every stateful vertex must keep its id and its meaning.
 */
export function compareState(before: VertexPrint[], after: VertexPrint[]): Verdict {
  const next = new Map(after.map((v) => [v.id, v]));
  const dropped: string[] = [];
  const changed: Verdict['changed'] = [];
  for (const old of before) {
    if (old.state.length === 0) continue;
    const now = next.get(old.id);
    if (!now || now.state.length === 0) dropped.push(old.label);
    else if (now.state.join('\n') !== old.state.join('\n'))
      changed.push({ vertex: now.label, before: old.state, after: now.state });
  }
  const known = new Set(before.map((v) => v.id));
  const added = after.filter((v) => v.state.length > 0 && !known.has(v.id)).map((v) => v.label);
  if (changed.length > 0) {
    const first = changed[0]!;
    const diff = first.after.find((s) => !first.before.includes(s)) ?? first.after[0];
    return {
      verdict: 'incompatible',
      summary: `incompatible: the state of ${changed.map((c) => c.vertex).join('; ')} would mean something else (now ${diff})`,
      dropped,
      changed,
      added,
    };
  }
  if (dropped.length > 0)
    return {
      verdict: 'drops-state',
      summary: `drops state of ${dropped.join('; ')}`,
      dropped,
      changed,
      added,
    };
  return { verdict: 'compatible', summary: 'compatible', dropped, changed, added };
}
