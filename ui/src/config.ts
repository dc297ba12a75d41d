/** Build-time settings of the dashboard (Vite env), with their defaults. */
const threshold = Number(import.meta.env.VITE_ATTENDANCE_THRESHOLD ?? '0.6');

export const UI_CONFIG = {
  /** VITE_ATTENDANCE_THRESHOLD: attendance rates below this are drawn red. Default 0.6. */
  attendanceThreshold:
    Number.isFinite(threshold) && threshold > 0 && threshold <= 1 ? threshold : 0.6,
} as const;
