-- name: attendance
-- description: Course attendance: enrolled students (or devices) present in the room during class
-- parallelism: 1
--
-- One row per course section and class date (see README.md, "Attendance"):
--
-- 1. Presence intervals. A device is in the room of the access point it associated with
--    successfully, from that association until its next successful association anywhere (which
--    starts its next interval), or for at most MAX_SILENCE_MINUTES when nothing follows.
-- 2. A device is present at a class when its intervals in the class's room overlap the class
--    (start to end, on a date whose weekday is the section's, in the section's time zone) by at
--    least MIN_OVERLAP_MINUTES. It arrived late when its first interval there began after start +
--    GRACE_MINUTES, and left early when its last one ended before end - GRACE_MINUTES.
-- 3. With a roster for the section and a registry covering at least one of its enrolled students
--    (unit 'students'): present = enrolled students with at least one registered device present,
--    late/left_early counted per student (over their present devices), other_devices = present
--    devices not owned by an enrolled student. Otherwise (unit 'devices'): devices present, over
--    the roster size or the schedule's enrolled count, flagged over_capacity when above it.
-- 4. Dates outside every term of the calendar (when it has terms) or on a holiday have no row.
--
-- Flink 1.12 has no LEAD in streaming SQL, so an interval's end is the smallest of "silence
-- expired" and the times of the device's later associations within the silence, found by an
-- event-time interval join of the Wi-Fi log with itself (its state is one silence span, cleared by
-- the watermark). Everything after that runs on epoch seconds, not on event time: regular joins
-- refuse time attributes, the quiet tables (schedule, registry, rosters, calendar) would stall a
-- watermark, and this way a late association still corrects the rows it touches. Local dates and
-- class times come from the schedule row's time zone (CAMPUS_TIMEZONE when it has none) with
-- CONVERT_TZ, once per class and access point. MAX_SILENCE_MINUTES must stay under a day.
-- State TTL bounds every operator's state; the watcher republishes the quiet tables more often
-- than the TTL, so their rows stay alive. A class still running is rated with the intervals known
-- so far: a device's open interval counts as lasting until the silence expires.
-- Both sinks are at-least-once in Flink 1.12 (upsert-kafka has no transactions; the JDBC sink
-- flushes on checkpoints): after a failure some rows are written again with the same key and the
-- same or a newer value, which an upsert table absorbs (see README.md).
--
-- Dashboard panel (see README.md, "Panels"): today's classes, drawn by the attendance panel.
-- panel: rates
--   kind: attendance
--   table: attendance
--   key: course_id, section, class_date
--   values: present, enrolled, rate
--   title.en: Attendance
--   title.zh: 出勤
--   order: 50
--   stale_after: 12h
--
-- var ATTENDANCE_TOPIC = attendance
-- var STATE_TTL = 2 d
-- var MAX_SILENCE_MINUTES = 120
-- var MIN_OVERLAP_MINUTES = 10
-- var GRACE_MINUTES = 10
-- var CAMPUS_TIMEZONE = Asia/Shanghai
-- var MINI_BATCH = true
-- The heap state backend writes the whole state at every checkpoint, and this job's state grows
-- with the associations of STATE_TTL (hundreds of MiB for 20,000 students): a minute between
-- checkpoints instead of tables/common.sql's 10 s (bench:attendance ran about twice as fast).
-- var CHECKPOINT_INTERVAL = 60 s
-- #include tables/common.sql
-- #include tables/wifi_log.sql
-- #include tables/course_schedule.sql
-- #include tables/device_registry.sql
-- #include tables/class_roster.sql
-- #include tables/term_calendar.sql
-- #include tables/jdbc.sql

SET 'table.exec.state.ttl' = '${STATE_TTL}';
-- FROM_UNIXTIME and CAST(TIMESTAMP AS BIGINT) convert in this zone: UTC makes them plain epoch
-- conversions (UNIX_TIMESTAMP is avoided: the planner treats it as non-deterministic).
SET 'table.local-time-zone' = 'UTC';
-- Mini-batches fold the many updates of one key (an interval's end, a class's counts) into one
-- before passing them on, at the cost of up to a second of latency (see README.md).
SET 'table.exec.mini-batch.enabled' = '${MINI_BATCH}';
SET 'table.exec.mini-batch.allow-latency' = '1 s';
SET 'table.exec.mini-batch.size' = '5000';

CREATE TABLE attendance (
  course_id STRING,
  section STRING,
  class_date STRING,
  unit STRING,
  present BIGINT,
  enrolled INT,
  rate DOUBLE,
  late BIGINT,
  left_early BIGINT,
  other_devices BIGINT,
  over_capacity BOOLEAN,
  PRIMARY KEY (course_id, section, class_date) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${ATTENDANCE_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json'
);

-- The history copy reads the rows back from the attendance topic rather than from the views:
-- Flink 1.12 expands the views once per INSERT and cannot share the UNNEST steps between two
-- INSERTs, so a second INSERT from the views would run the whole computation twice.
CREATE TABLE attendance_published (
  course_id STRING,
  section STRING,
  class_date STRING,
  unit STRING,
  present BIGINT,
  enrolled INT,
  rate DOUBLE,
  late BIGINT,
  left_early BIGINT,
  other_devices BIGINT,
  over_capacity BOOLEAN,
  PRIMARY KEY (course_id, section, class_date) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${ATTENDANCE_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json'
);

-- The same rows in PostgreSQL (table `attendance` of the history migrations), upserted by key.
CREATE TABLE attendance_history (
  course_id STRING,
  section STRING,
  class_date DATE,
  unit STRING,
  present BIGINT,
  enrolled INT,
  rate DOUBLE,
  late BIGINT,
  left_early BIGINT,
  other_devices BIGINT,
  over_capacity BOOLEAN,
  PRIMARY KEY (course_id, section, class_date) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'attendance',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'sink.buffer-flush.max-rows' = '${JDBC_FLUSH_ROWS}',
  'sink.buffer-flush.interval' = '${JDBC_FLUSH_INTERVAL}',
  'sink.max-retries' = '5'
);

-- Successful associations: the MAC as 12 lower-case hex digits (any case or separators in the
-- log), the access point, the instant in epoch seconds, and as the event-time attribute.
CREATE TEMPORARY VIEW associations AS
SELECT
  REGEXP_REPLACE(LOWER(mac), '[^0-9a-f]', '') AS mac,
  currentapname AS ap,
  ts_ms / 1000 AS ts,
  event_time
FROM wifi_log
WHERE connectresult = 'Success' AND ts_ms IS NOT NULL AND mac IS NOT NULL AND currentapname IS NOT NULL;

-- Candidate ends of the interval that starts at each association: silence expiry, and every later
-- association of the device within the silence. The second is an event-time interval join: it
-- keeps only the last MAX_SILENCE_MINUTES of associations (behind the watermark) in its state and
-- compares each new one with the device's associations of that span only. An association later
-- than that behind the watermark still gets its own interval, but may no longer cut the one
-- before it short.
CREATE TEMPORARY VIEW interval_ends AS
SELECT mac, ap, ts, ts + ${MAX_SILENCE_MINUTES} * 60 AS end_ts FROM associations
UNION ALL
SELECT a.mac, a.ap, a.ts, b.ts AS end_ts
FROM associations AS a, associations AS b
WHERE a.mac = b.mac AND b.ts > a.ts AND b.ts < a.ts + ${MAX_SILENCE_MINUTES} * 60
  AND b.event_time >= a.event_time
  AND b.event_time <= a.event_time + INTERVAL '1' MINUTE * ${MAX_SILENCE_MINUTES};

CREATE TEMPORARY VIEW intervals AS
SELECT mac, ap, ts AS start_ts, MIN(end_ts) AS end_ts
FROM interval_ends
GROUP BY mac, ap, ts;

-- One row per access point of each section's room, with the zone its times are in.
CREATE TEMPORARY VIEW section_aps AS
SELECT s.course_id, s.section, s.weekday, s.start_time, s.end_time,
  COALESCE(NULLIF(s.timezone, ''), '${CAMPUS_TIMEZONE}') AS tz, t.ap
FROM course_schedule AS s CROSS JOIN UNNEST(s.aps) AS t (ap);

-- Whether each date the Wi-Fi log reaches has classes: within a term (when the calendar has
-- terms) and not a holiday. A day either side of each association's UTC date covers every zone.
CREATE TEMPORARY VIEW log_dates AS
SELECT log_date FROM (
  SELECT log_date, ROW_NUMBER() OVER (PARTITION BY log_date ORDER BY proc) AS n
  FROM (
    SELECT FROM_UNIXTIME(ts_ms / 1000 - 86400, 'yyyy-MM-dd') AS log_date, PROCTIME() AS proc FROM wifi_log
    UNION ALL
    SELECT FROM_UNIXTIME(ts_ms / 1000, 'yyyy-MM-dd') AS log_date, PROCTIME() AS proc FROM wifi_log
    UNION ALL
    SELECT FROM_UNIXTIME(ts_ms / 1000 + 86400, 'yyyy-MM-dd') AS log_date, PROCTIME() AS proc FROM wifi_log
  )
)
WHERE n = 1;

CREATE TEMPORARY VIEW class_days AS
SELECT class_date, MOD(DAYOFWEEK(CAST(class_date AS DATE)) + 5, 7) + 1 AS weekday
FROM (
  SELECT d.log_date AS class_date,
    MAX(CASE WHEN c.kind = 'term' THEN 1 ELSE 0 END) AS terms_known,
    MAX(CASE WHEN c.kind = 'term' AND d.log_date BETWEEN c.first_date AND c.last_date THEN 1 ELSE 0 END) AS in_term,
    MAX(CASE WHEN c.kind = 'holiday' AND d.log_date BETWEEN c.first_date AND c.last_date THEN 1 ELSE 0 END) AS holiday
  FROM (SELECT log_date, 1 AS k FROM log_dates) AS d
  LEFT JOIN (SELECT kind, first_date, last_date, 1 AS k FROM term_calendar) AS c ON d.k = c.k
  GROUP BY d.log_date
)
WHERE (terms_known = 0 OR in_term = 1) AND holiday = 0;

-- Every class held on those dates, on each access point of its room, as epoch seconds: the time
-- zone conversion happens once per class and access point, not once per association.
CREATE TEMPORARY VIEW class_windows AS
SELECT p.course_id, p.section, p.ap, d.class_date,
  CAST(TO_TIMESTAMP(CONVERT_TZ(CONCAT(d.class_date, ' ', p.start_time), p.tz, 'UTC')) AS BIGINT) AS class_start,
  CAST(TO_TIMESTAMP(CONVERT_TZ(CONCAT(d.class_date, ' ', p.end_time), p.tz, 'UTC')) AS BIGINT) AS class_end
FROM class_days AS d
JOIN section_aps AS p ON d.weekday = p.weekday;

-- Intervals on a class's access points that overlap it, and by how many seconds. The join is
-- keyed finely: by access point, by a span of time (as long as the silence, at least an hour) and
-- by the last hex digit of the MAC. An interval goes by the span it starts in; a class by every
-- span an interval overlapping it can start in (from MAX_SILENCE_MINUTES before its start to its
-- end; up to eight spans, so a class may last up to five) and every digit. Keyed by access point
-- alone, a busy corridor's access point would hold every interval there in one state entry, and
-- Flink's heap state backend copies an entry whole each time it checks it for expiry (TTL), so
-- the job would slow down as its state grows.
CREATE TEMPORARY VIEW class_spans AS
SELECT course_id, section, class_date, class_start, class_end, span, ap_digit
FROM (
  SELECT course_id, section, ap, class_date, class_start, class_end,
    (class_start - ${MAX_SILENCE_MINUTES} * 60) / (CASE WHEN ${MAX_SILENCE_MINUTES} > 60 THEN ${MAX_SILENCE_MINUTES} ELSE 60 END * 60) AS first_span,
    (class_end - 1) / (CASE WHEN ${MAX_SILENCE_MINUTES} > 60 THEN ${MAX_SILENCE_MINUTES} ELSE 60 END * 60) AS last_span
  FROM class_windows
)
CROSS JOIN UNNEST(ARRAY[first_span, first_span + 1, first_span + 2, first_span + 3,
  first_span + 4, first_span + 5, first_span + 6, first_span + 7]) AS t (span)
CROSS JOIN UNNEST(ARRAY[CONCAT(ap, '|0'), CONCAT(ap, '|1'), CONCAT(ap, '|2'), CONCAT(ap, '|3'),
  CONCAT(ap, '|4'), CONCAT(ap, '|5'), CONCAT(ap, '|6'), CONCAT(ap, '|7'),
  CONCAT(ap, '|8'), CONCAT(ap, '|9'), CONCAT(ap, '|a'), CONCAT(ap, '|b'),
  CONCAT(ap, '|c'), CONCAT(ap, '|d'), CONCAT(ap, '|e'), CONCAT(ap, '|f')]) AS d (ap_digit)
WHERE span <= last_span;

CREATE TEMPORARY VIEW class_overlaps AS
SELECT w.course_id, w.section, w.class_date, i.mac, i.start_ts, i.end_ts, w.class_start, w.class_end,
  (CASE WHEN i.end_ts < w.class_end THEN i.end_ts ELSE w.class_end END)
    - (CASE WHEN i.start_ts > w.class_start THEN i.start_ts ELSE w.class_start END) AS seconds
FROM (
  SELECT mac, start_ts, end_ts,
    start_ts / (CASE WHEN ${MAX_SILENCE_MINUTES} > 60 THEN ${MAX_SILENCE_MINUTES} ELSE 60 END * 60) AS span,
    CONCAT(ap, '|', SUBSTR(mac, 12, 1)) AS ap_digit
  FROM intervals
) AS i
JOIN class_spans AS w
  ON i.ap_digit = w.ap_digit AND i.span = w.span
  AND i.start_ts < w.class_end AND i.end_ts > w.class_start;

-- Each device's time in the room during each class, and when it came and went.
CREATE TEMPORARY VIEW device_presence AS
SELECT course_id, section, class_date, mac,
  SUM(seconds) AS seconds,
  MIN(start_ts) AS first_ts,
  MAX(end_ts) AS last_ts,
  MAX(class_start) AS class_start,
  MAX(class_end) AS class_end
FROM class_overlaps
GROUP BY course_id, section, class_date, mac;

-- Devices present at a class, with their owner when the registry has the device and that owner
-- is on the section's roster (student_id is NULL for every other device).
CREATE TEMPORARY VIEW present_devices AS
SELECT d.course_id, d.section, d.class_date, d.mac,
  CASE WHEN d.first_ts > d.class_start + ${GRACE_MINUTES} * 60 THEN 1 ELSE 0 END AS late,
  CASE WHEN d.last_ts < d.class_end - ${GRACE_MINUTES} * 60 THEN 1 ELSE 0 END AS left_early,
  ro.student_id AS student_id
FROM device_presence AS d
LEFT JOIN device_registry AS r
  ON d.mac = REGEXP_REPLACE(LOWER(r.mac), '[^0-9a-f]', '')
LEFT JOIN class_roster AS ro
  ON ro.course_id = d.course_id AND ro.section = d.section AND ro.student_id = r.student_id
WHERE d.seconds >= ${MIN_OVERLAP_MINUTES} * 60;

-- One row per attendee of a class: an enrolled student with all their present devices (late or
-- early only when every one of those devices was), or a device no enrolled student owns.
CREATE TEMPORARY VIEW attendees AS
SELECT course_id, section, class_date,
  MAX(CASE WHEN student_id IS NULL THEN 0 ELSE 1 END) AS is_student,
  MIN(late) AS late,
  MIN(left_early) AS left_early,
  COUNT(DISTINCT mac) AS devices,
  COUNT(DISTINCT CASE WHEN late = 1 THEN mac END) AS late_devices,
  COUNT(DISTINCT CASE WHEN left_early = 1 THEN mac END) AS left_early_devices
FROM present_devices
GROUP BY course_id, section, class_date,
  CASE WHEN student_id IS NULL THEN CONCAT('device:', mac) ELSE CONCAT('student:', student_id) END;

CREATE TEMPORARY VIEW class_counts AS
SELECT course_id, section, class_date,
  CAST(SUM(is_student) AS BIGINT) AS students,
  CAST(SUM(is_student * late) AS BIGINT) AS students_late,
  CAST(SUM(is_student * left_early) AS BIGINT) AS students_left_early,
  SUM(devices) AS devices,
  SUM(late_devices) AS devices_late,
  SUM(left_early_devices) AS devices_left_early,
  SUM(CASE WHEN is_student = 0 THEN devices ELSE 0 END) AS other_devices
FROM attendees
GROUP BY course_id, section, class_date;

-- Per section: the roster's size, and how many of its students have a registered device.
CREATE TEMPORARY VIEW rosters AS
SELECT ro.course_id, ro.section,
  COUNT(DISTINCT ro.student_id) AS enrolled,
  COUNT(DISTINCT r.student_id) AS registered
FROM class_roster AS ro
LEFT JOIN device_registry AS r ON ro.student_id = r.student_id
GROUP BY ro.course_id, ro.section;

-- Unit 'students' when the section has a roster and the registry knows a device of at least one
-- of its students; otherwise devices, over the roster size or the schedule's enrolled count.
CREATE TEMPORARY VIEW attendance_rows AS
SELECT course_id, section, class_date, unit, present, enrolled,
  CASE WHEN enrolled > 0 THEN CAST(present AS DOUBLE) / enrolled ELSE CAST(NULL AS DOUBLE) END AS rate,
  late, left_early, other_devices,
  unit = 'devices' AND present > enrolled AS over_capacity
FROM (
  SELECT c.course_id, c.section, c.class_date,
    CASE WHEN ro.registered > 0 THEN 'students' ELSE 'devices' END AS unit,
    CASE WHEN ro.registered > 0 THEN c.students ELSE c.devices END AS present,
    CASE WHEN ro.enrolled > 0 THEN CAST(ro.enrolled AS INT) ELSE s.enrolled END AS enrolled,
    CASE WHEN ro.registered > 0 THEN c.students_late ELSE c.devices_late END AS late,
    CASE WHEN ro.registered > 0 THEN c.students_left_early ELSE c.devices_left_early END AS left_early,
    CASE WHEN ro.registered > 0 THEN c.other_devices ELSE CAST(0 AS BIGINT) END AS other_devices
  FROM class_counts AS c
  JOIN course_schedule AS s ON c.course_id = s.course_id AND c.section = s.section
  LEFT JOIN rosters AS ro ON c.course_id = ro.course_id AND c.section = ro.section
);

INSERT INTO attendance SELECT * FROM attendance_rows;

INSERT INTO attendance_history
SELECT course_id, section, CAST(class_date AS DATE), unit, present, enrolled, rate, late,
  left_early, other_devices, over_capacity
FROM attendance_published;
