-- name: attendance
-- description: Course attendance rate: distinct devices on the room's access points during class, over enrolled
-- parallelism: 1
--
-- For every course section and class date: the distinct devices that associated successfully with
-- an access point of the section's room between the class's local start and end time on a date
-- whose weekday is the section's weekday, divided by the enrolled count. Updated live as
-- associations arrive; written to the upsert topic ATTENDANCE_TOPIC keyed by course, section, date.
--
-- Why a regular join and not an event-time (interval or temporal) join: the schedule topic is quiet
-- most of the time, so its watermark would not advance and an event-time join would stall; Flink
-- 1.12 also refuses time attributes in a regular join's inputs. So the Wi-Fi side is first reduced to
-- plain columns (campus-local date and time of day, no time attribute), deduplicated per device,
-- access point and second, and joined with the current schedule (an upsert table, so an edited row
-- retracts and replaces its matches; a deleted row removes them). State TTL bounds the join state;
-- the watcher republishes the schedule snapshot more often than the TTL so schedule rows stay alive.
-- The enrolled count is joined last, so a change to it re-rates every date of that section at once.
--
-- var ATTENDANCE_TOPIC = attendance
-- var STATE_TTL = 2 d
-- #include tables/common.sql
-- #include tables/wifi_log.sql
-- #include tables/course_schedule.sql

SET 'table.exec.state.ttl' = '${STATE_TTL}';

CREATE TABLE attendance (
  course_id STRING,
  section STRING,
  class_date STRING,
  present BIGINT,
  enrolled INT,
  rate DOUBLE,
  PRIMARY KEY (course_id, section, class_date) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${ATTENDANCE_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json'
);

-- Successful associations as campus-local date, ISO weekday and time of day.
CREATE TEMPORARY VIEW associations AS
SELECT DISTINCT
  mac,
  currentapname AS ap,
  SUBSTR(local_time, 1, 10) AS class_date,
  MOD(DAYOFWEEK(CAST(SUBSTR(local_time, 1, 10) AS DATE)) + 5, 7) + 1 AS weekday,
  SUBSTR(local_time, 12, 8) AS time_of_day
FROM wifi_log
WHERE connectresult = 'Success' AND local_time IS NOT NULL AND CHAR_LENGTH(local_time) >= 19;

-- One row per access point of each section's room.
CREATE TEMPORARY VIEW section_aps AS
SELECT s.course_id, s.section, s.weekday, s.start_time, s.end_time, t.ap
FROM course_schedule AS s CROSS JOIN UNNEST(s.aps) AS t (ap);

CREATE TEMPORARY VIEW present AS
SELECT p.course_id, p.section, a.class_date, COUNT(DISTINCT a.mac) AS present
FROM associations AS a
JOIN section_aps AS p
  ON a.ap = p.ap AND a.weekday = p.weekday
WHERE a.time_of_day >= p.start_time AND a.time_of_day < p.end_time
GROUP BY p.course_id, p.section, a.class_date;

INSERT INTO attendance
SELECT pr.course_id, pr.section, pr.class_date, pr.present, s.enrolled,
  CASE WHEN s.enrolled > 0 THEN CAST(pr.present AS DOUBLE) / s.enrolled ELSE CAST(NULL AS DOUBLE) END AS rate
FROM present AS pr
JOIN course_schedule AS s
  ON pr.course_id = s.course_id AND pr.section = s.section;
