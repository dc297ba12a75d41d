-- course_schedule: the compacted schedule topic as a table. The watcher keys each row by
-- {"course_id", "section"} and writes a tombstone when a row leaves the schedule file, so
-- upsert-kafka turns the topic into the current schedule, updates and deletions included.
-- Times are campus-local 'HH:mm:ss'; weekday is ISO (1 = Monday).
-- var SCHEDULE_TOPIC = course_schedule
CREATE TABLE course_schedule (
  course_id STRING,
  section STRING,
  room STRING,
  aps ARRAY<STRING>,
  weekday INT,
  start_time STRING,
  end_time STRING,
  enrolled INT,
  timezone STRING,
  PRIMARY KEY (course_id, section) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${SCHEDULE_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'properties.isolation.level' = 'read_committed',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL'
);
