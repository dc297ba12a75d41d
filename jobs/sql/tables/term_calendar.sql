-- term_calendar: the terms and holidays of the campus calendar (optional). Each entry is a range
-- of campus-local dates, first_date to last_date inclusive ('yyyy-MM-dd'), of kind 'term' or
-- 'holiday', keyed by {"kind", "first_date"}; a tombstone when an entry leaves the calendar file.
-- var CALENDAR_TOPIC = term_calendar
CREATE TABLE term_calendar (
  kind STRING,
  first_date STRING,
  last_date STRING,
  name STRING,
  PRIMARY KEY (kind, first_date) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${CALENDAR_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'properties.isolation.level' = 'read_committed',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL'
);
