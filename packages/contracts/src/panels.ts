/**
 * Dashboard panels as the jobs declare them (a `-- panel:` block in a job file's header, see
 * jobs/sql/README.md). The control plane checks a declaration against the columns the job writes,
 * the relay serves the declared panels of every deployed job as rows of the `$panels` channel, and
 * the dashboard draws each with the component registered for its kind.
 */
import { Type, type Static } from 'typebox';

/** What a panel draws: a line over time, bars, a ranked list, a table, big numbers, attendance. */
export const PANEL_KINDS = ['timeseries', 'bar', 'top', 'table', 'figure', 'attendance'] as const;
export type PanelKind = (typeof PANEL_KINDS)[number];

/** How a panel's values are written: plain numbers, rates (0.25 → 25.0 %), or byte sizes. */
export const PANEL_FORMATS = ['number', 'percent', 'bytes'] as const;
export type PanelFormat = (typeof PANEL_FORMATS)[number];

/** The channel listing the declared panels: one row per panel, keyed by the panel's id. */
export const PANELS_CHANNEL = '$panels';

/** A text in both languages of the dashboard. */
export const LocalText = Type.Object({ en: Type.String(), zh: Type.String() });
export type LocalText = Static<typeof LocalText>;

export const PanelSpec = Type.Object({
  /** `<job>.<panel>`: unique on the dashboard. */
  id: Type.String(),
  job: Type.String(),
  panel: Type.String(),
  kind: Type.Union([
    Type.Literal('timeseries'),
    Type.Literal('bar'),
    Type.Literal('top'),
    Type.Literal('table'),
    Type.Literal('figure'),
    Type.Literal('attendance'),
  ]),
  /** The relay channel carrying the rows (the output topic's name). */
  channel: Type.String(),
  title: LocalText,
  /** A line under the title: what is counted, and how. */
  note: Type.Optional(LocalText),
  /** The column holding each row's time (epoch ms once relayed when it is a timestamp). */
  time: Type.Optional(Type.String()),
  /** Columns naming a row: categories of bars, the items of a top list, a table's first columns. */
  key: Type.Array(Type.String()),
  /** The numbers drawn. */
  values: Type.Array(Type.String()),
  /** Labels of the columns above, in both languages (the column name when none is declared). */
  labels: Type.Record(Type.String(), LocalText),
  /** Position on the page: smaller first. */
  order: Type.Number(),
  format: Type.Union([Type.Literal('number'), Type.Literal('percent'), Type.Literal('bytes')]),
  /** Rows shown by a top list or a table. */
  limit: Type.Integer({ minimum: 1 }),
  /** Bars or areas stacked on each other. */
  stack: Type.Boolean(),
  /** How old the newest row may be before the panel says its data is stale. */
  staleAfterMs: Type.Integer({ minimum: 1 }),
});
export type PanelSpec = Static<typeof PanelSpec>;
