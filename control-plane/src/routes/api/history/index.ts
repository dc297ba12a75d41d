import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import {
  ATTENDANCE_HISTORY_COLUMNS,
  AttendanceDateParams,
  AttendanceDateQuery,
  AttendanceHistory,
  AttendanceSectionQuery,
  ErrorBody,
  HistoryInfo,
  TRAFFIC_HISTORY_COLUMNS,
  TrafficHistory,
  TrafficQuery,
} from '@pulse/contracts';
import { HISTORY_DEFAULTS, MAX_RANGE_DAYS } from '../../../history/constants.js';
import { toCsv } from '../../../history/csv.js';
import { attendanceRange, trafficRange } from '../../../history/params.js';
import {
  attendanceDates,
  attendanceOfSection,
  attendanceOnDate,
  traffic,
  type Page,
} from '../../../history/queries.js';
import { campusDate, isCalendarDate } from '../../../history/time.js';
import { HistoryRequestError } from '../../../history/params.js';

const errors = { 400: ErrorBody, 503: ErrorBody };

/** JSON and CSV answers with one schema each, so OpenAPI shows both. */
const answer = (json: TSchema) => ({
  200: {
    description: 'the rows; with format=csv the same rows as CSV, the next page in the Link header',
    content: {
      'application/json': { schema: json },
      'text/csv': { schema: Type.String() },
    },
  },
  ...errors,
});

/** Sends a page as JSON or CSV; both carry the next page's URL in a Link header. */
function send<T extends object>(
  request: FastifyRequest,
  reply: FastifyReply,
  columns: readonly (keyof T & string)[],
  page: Page<T>,
  extra: Record<string, unknown> = {},
) {
  if (page.next) {
    const url = new URL(request.url, 'http://history');
    url.searchParams.set('cursor', page.next);
    void reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  }
  if ((request.query as { format?: string }).format === 'csv') {
    return reply.type('text/csv; charset=utf-8').send(toCsv(columns, page.rows));
  }
  return reply.send({ ...extra, rows: page.rows, next: page.next });
}

/** The history: results the jobs keep in PostgreSQL, by course, date and range. Open to viewers. */
const history: FastifyPluginAsyncTypebox = async (fastify) => {
  const zone = () => fastify.history.campusTimeZone;

  fastify.get(
    '/',
    {
      schema: {
        tags: ['history'],
        summary:
          "What the history holds: campus time zone and today's campus date, limits, retention",
        response: { 200: HistoryInfo, ...errors },
      },
    },
    async () => ({
      campusTimeZone: zone(),
      campusToday: campusDate(Date.now(), zone()),
      minuteRetentionDays: fastify.history.minuteRetentionDays,
      maxRangeDays: { ...MAX_RANGE_DAYS },
      attendanceDates: await attendanceDates(fastify.db),
    }),
  );

  fastify.get(
    '/attendance',
    {
      schema: {
        tags: ['history'],
        summary: 'One course section over a range of class dates (default: the last 180 days)',
        querystring: AttendanceSectionQuery,
        response: answer(AttendanceHistory),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const range = attendanceRange(q, campusDate(Date.now(), zone()));
      const page = await attendanceOfSection(fastify.db, {
        course: q.course,
        section: q.section,
        ...range,
        cursor: q.cursor,
        limit: q.limit ?? HISTORY_DEFAULTS.pageSize,
      });
      return send(request, reply, ATTENDANCE_HISTORY_COLUMNS, page);
    },
  );

  fastify.get(
    '/attendance/:date',
    {
      schema: {
        tags: ['history'],
        summary: 'Every course section on one class date (campus-local)',
        params: AttendanceDateParams,
        querystring: AttendanceDateQuery,
        response: answer(AttendanceHistory),
      },
    },
    async (request, reply) => {
      const { date } = request.params;
      if (!isCalendarDate(date))
        throw new HistoryRequestError(`date: "${date}" is not a calendar date (YYYY-MM-DD)`);
      const page = await attendanceOnDate(fastify.db, {
        date,
        cursor: request.query.cursor,
        limit: request.query.limit ?? HISTORY_DEFAULTS.pageSize,
      });
      return send(request, reply, ATTENDANCE_HISTORY_COLUMNS, page);
    },
  );

  fastify.get(
    '/traffic',
    {
      schema: {
        tags: ['history'],
        summary: 'PV, UV and requests by status class per minute, hour or campus day',
        querystring: TrafficQuery,
        response: answer(TrafficHistory),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const range = trafficRange(q, Date.now(), zone());
      const page = await traffic(fastify.db, range, {
        cursor: q.cursor,
        limit: q.limit ?? HISTORY_DEFAULTS.pageSize,
      });
      return send(request, reply, TRAFFIC_HISTORY_COLUMNS, page, {
        step: range.step,
        from: new Date(range.fromMs).toISOString(),
        to: new Date(range.toMs).toISOString(),
      });
    },
  );
};

export default history;
