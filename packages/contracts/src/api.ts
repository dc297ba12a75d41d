/** Request and response shapes of the control plane's job API, shared with the operator page. */
import { Type, type Static } from 'typebox';
import { PanelSpec } from './panels.js';

export const ErrorBody = Type.Object({
  error: Type.String({ description: 'stable machine-readable code' }),
  message: Type.String(),
  statement: Type.Optional(Type.Integer()),
  line: Type.Optional(Type.Integer({ description: 'line in the file named by `file`' })),
  column: Type.Optional(Type.Integer()),
  file: Type.Optional(Type.String()),
  verdict: Type.Optional(
    Type.Unknown({ description: 'the state compatibility verdict, when it decided' }),
  ),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const JobName = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$', maxLength: 100 }),
});

export const JobSummary = Type.Object({
  name: Type.String(),
  file: Type.String(),
  description: Type.String(),
  hash: Type.Union([Type.String(), Type.Null()]),
  /** Flink's state of the newest copy, STOPPING while a stop-with-savepoint is pending, or NOT_DEPLOYED. */
  state: Type.String(),
  jobId: Type.Union([Type.String(), Type.Null()]),
  runningHash: Type.Union([Type.String(), Type.Null()]),
  /** The file (or a table it includes) changed since the running copy was deployed. */
  drift: Type.Boolean(),
  startTime: Type.Union([Type.Integer(), Type.Null()]),
  variables: Type.Record(Type.String(), Type.String()),
  /** The values the running copy was started with, when this control plane started it. */
  runningVariables: Type.Optional(Type.Record(Type.String(), Type.String())),
  error: Type.Optional(Type.String()),
});
export type JobSummary = Static<typeof JobSummary>;

export const JobList = Type.Object({ jobs: Type.Array(JobSummary) });

export const DeployBody = Type.Object(
  {
    variables: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }), Type.String({ maxLength: 1000 })),
    ),
    allowNonRestoredState: Type.Optional(
      Type.Boolean({
        description:
          'drop the state the new version has no place for (when the compatibility verdict is "drops state of ...")',
      }),
    ),
    savepointPath: Type.Optional(
      Type.String({ description: 'start a stopped job from this savepoint or checkpoint' }),
    ),
    start: Type.Optional(
      Type.String({
        description:
          'where to begin: "state" (the latest savepoint or retained checkpoint, refused when there is none), "now", "earliest" (replay all retained input), or an ISO time. Default: the running copy\'s state on an upgrade, else the latest state when the job left one, else "now". Any value but "state" starts fresh, without state.',
        maxLength: 40,
      }),
    ),
  },
  { additionalProperties: false },
);
export type DeployBody = Static<typeof DeployBody>;

export const DeployResult = Type.Object({
  action: Type.Union([
    Type.Literal('started'),
    Type.Literal('upgraded'),
    Type.Literal('replaced'),
    Type.Literal('unchanged'),
  ]),
  jobId: Type.String(),
  previousJobId: Type.Union([Type.String(), Type.Null()]),
  hash: Type.String(),
  savepoint: Type.Union([Type.String(), Type.Null()], {
    description: 'the savepoint or checkpoint the new copy started from',
  }),
  from: Type.String({
    description:
      'where the copy began: "savepoint <path>", "checkpoint <path>", "now", "earliest", or a time',
  }),
  verdict: Type.Optional(
    Type.String({ description: 'the state compatibility verdict the start was allowed by' }),
  ),
});
export type DeployResult = Static<typeof DeployResult>;

export const StopResult = Type.Object({
  state: Type.Union([Type.Literal('STOPPED'), Type.Literal('STOPPING')]),
  jobId: Type.String(),
  savepoint: Type.Union([Type.String(), Type.Null()]),
});
export type StopResult = Static<typeof StopResult>;

export const CancelResult = Type.Object({ cancelled: Type.Array(Type.String()) });

export const ValidateResult = Type.Object({
  valid: Type.Literal(true),
  hash: Type.String(),
  plan: Type.Unknown(),
  /** The dashboard panels the job declares, as the relay serves them once it runs. */
  panels: Type.Array(PanelSpec),
});

/** One mutating call. Viewers get it without `request` and `result`, and `who` without an address. */
export const AuditEntry = Type.Object({
  at: Type.String(),
  who: Type.String(),
  action: Type.String(),
  target: Type.String(),
  request: Type.Optional(Type.Unknown()),
  status: Type.Integer(),
  result: Type.Optional(Type.String()),
});
export type AuditEntry = Static<typeof AuditEntry>;

/** A crash or restart of a runtime part or service, as npm start's supervisor recorded it. */
export const RuntimeEvent = Type.Object({
  at: Type.String(),
  part: Type.String(),
  event: Type.Union([
    Type.Literal('crashed'),
    Type.Literal('restarted'),
    Type.Literal('restart-failed'),
  ]),
  detail: Type.String(),
});
export type RuntimeEvent = Static<typeof RuntimeEvent>;

/** One vertex of a running job as the diagnostics show it. */
export const VertexDiagnostics = Type.Object({
  id: Type.String(),
  name: Type.String(),
  parallelism: Type.Integer(),
  status: Type.String(),
  recordsIn: Type.Number(),
  recordsOut: Type.Number(),
  /** Flink's back-pressure level; `sampling` while the first sample is taken. */
  backPressure: Type.Union([
    Type.Literal('ok'),
    Type.Literal('low'),
    Type.Literal('high'),
    Type.Literal('sampling'),
    Type.Null(),
  ]),
  /** Input watermark per subtask (epoch ms), null for a subtask that has none yet. */
  subtaskWatermarks: Type.Array(Type.Union([Type.Number(), Type.Null()])),
  /** The smallest of them: what the vertex's windows close by; null while any subtask has none. */
  watermark: Type.Union([Type.Number(), Type.Null()]),
  /** Wall clock minus the watermark. */
  watermarkLagMs: Type.Union([Type.Number(), Type.Null()]),
  /** Records later than their window that the vertex dropped (Flink's numLateRecordsDropped). */
  lateRecordsDropped: Type.Number(),
  /** Kafka partitions a source reads: the subtask, and the offset it has passed on. */
  partitions: Type.Array(
    Type.Object({
      topic: Type.String(),
      partition: Type.Integer(),
      subtask: Type.Integer(),
      offset: Type.Number(),
    }),
  ),
});
export type VertexDiagnostics = Static<typeof VertexDiagnostics>;

/**
 * What an operator needs to see why a job does what it does (GET /api/jobs/:name/diagnostics):
 * the copy that runs, its vertices (records, back pressure, watermarks, late records), checkpoints,
 * and plain-language hints ("why has my window not fired?"). The rendered SQL and exception traces
 * are for operators only; viewers get states and figures.
 */
export const JobDiagnostics = Type.Object({
  job: Type.String(),
  jobId: Type.Union([Type.String(), Type.Null()]),
  state: Type.String(),
  /** The values the running copy was given (secrets masked). */
  variables: Type.Record(Type.String(), Type.String()),
  /** The rendered script of the running copy (operators only). */
  script: Type.Optional(Type.String()),
  vertices: Type.Array(VertexDiagnostics),
  checkpoints: Type.Union([
    Type.Object({
      completed: Type.Integer(),
      failed: Type.Integer(),
      inProgress: Type.Integer(),
      lastCompletedAt: Type.Union([Type.Number(), Type.Null()]),
      lastDurationMs: Type.Union([Type.Number(), Type.Null()]),
      lastSizeBytes: Type.Union([Type.Number(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  /** When the job last failed (everyone); what failed (operators only). */
  lastFailureAt: Type.Union([Type.Number(), Type.Null()]),
  exceptions: Type.Optional(Type.Array(Type.Object({ at: Type.Number(), message: Type.String() }))),
  hints: Type.Array(Type.String()),
  /** The control plane's clock when this was read (epoch ms). */
  at: Type.Number(),
});
export type JobDiagnostics = Static<typeof JobDiagnostics>;
