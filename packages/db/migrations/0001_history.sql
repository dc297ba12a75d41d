-- The history the Flink jobs upsert into (JDBC connector, keyed by each table's primary key, so a
-- restart, replay or redeploy overwrites rows and never duplicates them), read by the control
-- plane's history API. Instants are `timestamp` (without time zone) holding UTC: Flink 1.12's JDBC
-- sink writes TIMESTAMP(3) values as wall-clock times, and UTC wall-clock times stay exact
-- whatever zone the TaskManagers run in. Campus-local dates are `date`.

-- One row per course section and class date (the columns agreed with jobs/sql/attendance.sql).
CREATE TABLE attendance (
  course_id text NOT NULL,
  section text NOT NULL,
  class_date date NOT NULL,
  unit text,
  present bigint,
  enrolled integer,
  rate double precision,
  late bigint,
  left_early bigint,
  other_devices bigint,
  over_capacity boolean,
  PRIMARY KEY (course_id, section, class_date)
);
-- "Every section on a date", in the order the API pages through it.
CREATE INDEX attendance_by_date ON attendance (class_date, course_id, section);

-- Every closed PV/UV sliding window of jobs/sql/pv_uv.sql (minute-level: pruned after the
-- retention period).
CREATE TABLE pvuv_window (
  window_start timestamp NOT NULL,
  window_end timestamp NOT NULL,
  pv bigint NOT NULL,
  uv bigint NOT NULL,
  PRIMARY KEY (window_start, window_end)
);

-- Traffic totals of jobs/sql/traffic_history.sql. pv counts requests (as pv_uv does), uv distinct
-- visitors in the bucket, status_* the requests by status class (status_other: 1xx and
-- anything outside 100-599).
CREATE TABLE traffic_minute (
  bucket_start timestamp PRIMARY KEY,
  pv bigint NOT NULL,
  uv bigint NOT NULL,
  status_2xx bigint NOT NULL,
  status_3xx bigint NOT NULL,
  status_4xx bigint NOT NULL,
  status_5xx bigint NOT NULL,
  status_other bigint NOT NULL
);

CREATE TABLE traffic_hour (LIKE traffic_minute INCLUDING ALL);

-- One row per campus-local day; uv is exact (distinct visitors over the whole campus day), not a
-- sum of hours. The row of the current day is updated while the day runs.
CREATE TABLE traffic_day (
  campus_day date PRIMARY KEY,
  pv bigint NOT NULL,
  uv bigint NOT NULL,
  status_2xx bigint NOT NULL,
  status_3xx bigint NOT NULL,
  status_4xx bigint NOT NULL,
  status_5xx bigint NOT NULL,
  status_other bigint NOT NULL
);
