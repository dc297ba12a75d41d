-- class_roster: who is enrolled in which course section (optional). One record per enrolment,
-- keyed by {"course_id", "section", "student_id"}; a tombstone when the student leaves the
-- section's roster, so upsert-kafka turns the compacted topic into the current rosters.
-- var ROSTER_TOPIC = class_roster
CREATE TABLE class_roster (
  course_id STRING,
  section STRING,
  student_id STRING,
  PRIMARY KEY (course_id, section, student_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${ROSTER_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'properties.isolation.level' = 'read_committed',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL'
);
