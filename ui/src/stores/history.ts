/**
 * The dashboard's history views: attendance on a chosen campus date, one section's trend over the
 * term, and traffic by hour or day. Each read keeps its own error, so one failing view leaves the
 * others working.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { AttendanceHistoryRow, HistoryInfo, TrafficHistoryRow } from '@pulse/contracts';
import {
  fetchAttendanceOnDate,
  fetchHistoryInfo,
  fetchSectionTrend,
  fetchTraffic,
} from '../api/history.js';

/** How far back a section's trend reaches from the chosen date: a term and then some. */
export const TREND_DAYS = 180;

/** The date `n` days before a YYYY-MM-DD date. */
export function daysBefore(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
}

export const useHistoryStore = defineStore('history', () => {
  const info = shallowRef<HistoryInfo | null>(null);
  const infoError = ref<string | null>(null);

  const date = ref<string>('');
  const dayRows = shallowRef<AttendanceHistoryRow[]>([]);
  const dayLoading = ref(false);
  const dayError = ref<string | null>(null);

  const trendOf = ref<{ course: string; section: string } | null>(null);
  const trendRows = shallowRef<AttendanceHistoryRow[]>([]);
  const trendError = ref<string | null>(null);

  const step = ref<'hour' | 'day'>('hour');
  const traffic = shallowRef<TrafficHistoryRow[]>([]);
  const trafficError = ref<string | null>(null);

  let started: Promise<void> | undefined;
  /**
   * Reads what the history holds, then shows today's campus date and hourly traffic. Every view
   * calls it; the first call does the work (a failed start is tried again by the next call).
   */
  function start(): Promise<void> {
    started ??= (async () => {
      try {
        info.value = await fetchHistoryInfo();
        infoError.value = null;
      } catch (err) {
        infoError.value = (err as Error).message;
        started = undefined;
        return;
      }
      await Promise.all([pickDate(info.value.campusToday), loadTraffic(step.value)]);
    })();
    return started;
  }

  async function pickDate(next: string): Promise<void> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(next)) return;
    date.value = next;
    dayLoading.value = true;
    try {
      const rows = await fetchAttendanceOnDate(next);
      // A slower answer for a date the viewer already left must not overwrite the newer one.
      if (date.value !== next) return;
      dayRows.value = rows;
      dayError.value = null;
      const keep = trendOf.value;
      if (keep && rows.some((r) => r.course_id === keep.course && r.section === keep.section))
        await pickSection(keep.course, keep.section);
      else trendOf.value = null;
    } catch (err) {
      if (date.value === next) dayError.value = (err as Error).message;
    } finally {
      if (date.value === next) dayLoading.value = false;
    }
  }

  async function pickSection(course: string, section: string): Promise<void> {
    trendOf.value = { course, section };
    const first = info.value?.attendanceDates.first;
    const from = daysBefore(date.value, TREND_DAYS - 1);
    try {
      trendRows.value = await fetchSectionTrend(
        course,
        section,
        first && first > from ? first : from,
        date.value,
      );
      trendError.value = null;
    } catch (err) {
      trendError.value = (err as Error).message;
    }
  }

  async function loadTraffic(next: 'hour' | 'day'): Promise<void> {
    step.value = next;
    try {
      const rows = await fetchTraffic(next);
      if (step.value === next) {
        traffic.value = rows;
        trafficError.value = null;
      }
    } catch (err) {
      trafficError.value = (err as Error).message;
    }
  }

  return {
    info,
    infoError,
    date,
    dayRows,
    dayLoading,
    dayError,
    trendOf,
    trendRows,
    trendError,
    step,
    traffic,
    trafficError,
    start,
    pickDate,
    pickSection,
    loadTraffic,
  };
});
