-- name: web_analytics
-- description: Web analytics from access_log: requests, page views and visitors per minute, hour and campus day; status classes, bandwidth, bots; top pages, referrers and 404s; the traffic history (minute, hour, day) in PostgreSQL
-- parallelism: 1
--
-- One job, one pass over access_log, six Kafka outputs (JSON; see README.md, "Web analytics")
-- and the three traffic tables of the history in PostgreSQL:
--
--   WEB_MINUTE_TOPIC   per minute (TUMBLE 60 s, append-only, exactly-once): requests, page_views,
--                      visitors, bytes, status_2xx..status_5xx, error_rate, bot_requests,
--                      human_requests
--   WEB_HOUR_TOPIC     per hour (TUMBLE 1 h, append-only, exactly-once): requests, page_views,
--                      visitors
--   WEB_TODAY_TOPIC    today so far (upsert, key campus_day): requests, page_views, visitors since
--                      campus-local midnight
--   WEB_TOP_PAGES_TOPIC, WEB_TOP_REFERRERS_TOPIC, WEB_TOP_404_TOPIC
--                      the TOP_N first pages, referrers and 404 paths of every TOP_WINDOW-minute
--                      window (upsert, key window_end + rank_no)
--   traffic_minute, traffic_hour, traffic_day (PostgreSQL, upserted by bucket_start / campus_day;
--                      control-plane/src/history/README.md): pv (= requests), uv (= visitors),
--                      status_2xx..status_5xx, status_other (1xx, outside 100-599 or missing).
--                      The same aggregates as the minute, hour and today outputs, computed once
--                      for both.
--
-- What is counted:
-- - requests: every line of access_log (bots, assets, errors and odd requests included).
-- - page view: a request a person made for a page, as analytics tools count them:
--   method GET; status 2xx or 304 (a 304 "not modified" means the browser showed the page from
--   its cache: the visitor did see it, and AWStats counts it too); path (query string and
--   fragment removed) starting with '/' and not a file: no asset extension (css, js, mjs, map,
--   json, xml, txt, images, fonts, audio/video, pdf, archives, office documents, installers) and
--   not under /.well-known/; user agent not a bot's.
-- - bot: user agent missing, empty, '-', or matching a pattern of tables/bots.sql (the list
--   analysts edit). human_requests = requests - bot_requests.
-- - visitors: distinct visitor_id over all requests of the window or day (the watcher's visitor
--   id: client address and user agent), bots included, as pv_uv's UV. Exact (COUNT DISTINCT),
--   never a sum of smaller windows.
-- - bytes: response bytes as logged ('-' is 0). error_rate: (4xx + 5xx) / requests.
--   status_2xx..5xx count requests by status class (1xx and unparsed statuses are in requests
--   only).
-- - top pages: page views per page path (query string removed). top referrers: page views per
--   external referrer, by host (referrers '-' or empty, and those whose host is one of
--   SITE_HOSTS, the site's own pages, are not sources; a referrer that is not a URL is listed as
--   written). top 404s: requests answered 404 per path, bots included (scanners probing for
--   /wp-login.php are worth seeing). Ties rank by name, so the lists are deterministic.
--
-- Time: windows are event-time tumbling windows on UTC boundaries; each closes, and is written
-- once, when the watermark (newest event time minus WATERMARK_DELAY) passes its end; a request
-- later than that is left out of its windows. Flink 1.12's day windows align to UTC midnight
-- (08:00 in Shanghai), so "today" is a running aggregate keyed by the request's campus-local date
-- in CAMPUS_TIMEZONE: upserted about once a second (mini-batch) while requests come in, exact
-- visitors over the whole campus day, late requests included. day_start is the UTC instant of
-- that local midnight. The day's state is dropped STATE_TTL after its last request (the top
-- lists' rank state too).
--
-- The upsert outputs are at-least-once in Flink 1.12 (upsert-kafka has no transactions): after a
-- failure rows are written again with the same key and the same or a newer value, which a
-- compacted topic and the dashboard absorb. The top lists are written as their ranks fill: a
-- window's rank 3 may first carry an item that later moves to rank 4; the last row per key is the
-- final list.
--
-- Dashboard panels (see README.md, "Panels"):
-- panel: web_today
--   kind: figure
--   table: web_today
--   time: day_start
--   values: page_views, visitors, requests
--   retain: 2d
--   stale_after: 30m
--   title.en: Today so far
--   title.zh: 今日累计
--   note.en: Since campus midnight. Page views: pages people opened (GET, 2xx/304, no assets, no bots); visitors: distinct visitors; requests: every log line
--   note.zh: 自校园时间零点起。浏览量：真人打开的页面（GET、2xx/304、不含静态资源和机器人）；访客：不同访客数；请求：全部日志行
--   label.page_views.en: Page views
--   label.page_views.zh: 浏览量
--   label.visitors.en: Visitors
--   label.visitors.zh: 访客
--   label.requests.en: Requests
--   label.requests.zh: 请求
--   order: 30
-- panel: web_traffic
--   kind: timeseries
--   table: web_minute
--   time: window_end
--   values: requests, page_views, visitors
--   title.en: Requests, page views and visitors per minute
--   title.zh: 每分钟请求、浏览量与访客
--   note.en: Requests: every log line; page views: pages people opened (GET, 2xx/304, no assets, no bots); visitors: distinct visitors of the minute
--   note.zh: 请求：全部日志行；浏览量：真人打开的页面（GET、2xx/304、不含静态资源和机器人）；访客：该分钟内的不同访客数
--   label.window_end.en: Minute ending
--   label.window_end.zh: 分钟结束
--   label.requests.en: Requests
--   label.requests.zh: 请求
--   label.page_views.en: Page views
--   label.page_views.zh: 浏览量
--   label.visitors.en: Visitors
--   label.visitors.zh: 访客
--   order: 40
-- panel: web_hourly
--   kind: timeseries
--   table: web_hour
--   time: window_end
--   values: requests, page_views, visitors
--   retain: 2d
--   stale_after: 2h
--   title.en: Requests, page views and visitors per hour
--   title.zh: 每小时请求、浏览量与访客
--   note.en: Hours on UTC boundaries; visitors are distinct over the whole hour
--   note.zh: 按 UTC 整点划分；访客为整小时内的不同访客数
--   label.window_end.en: Hour ending
--   label.window_end.zh: 小时结束
--   label.requests.en: Requests
--   label.requests.zh: 请求
--   label.page_views.en: Page views
--   label.page_views.zh: 浏览量
--   label.visitors.en: Visitors
--   label.visitors.zh: 访客
--   order: 45
-- panel: web_status
--   kind: bar
--   table: web_minute
--   time: window_end
--   values: status_2xx, status_3xx, status_4xx, status_5xx
--   stack: true
--   title.en: Responses by status class per minute
--   title.zh: 每分钟响应状态分布
--   note.en: Every request, by the class of its HTTP status
--   note.zh: 全部请求，按 HTTP 状态码类别统计
--   label.status_2xx.en: 2xx success
--   label.status_2xx.zh: 2xx 成功
--   label.status_3xx.en: 3xx redirect / not modified
--   label.status_3xx.zh: 3xx 重定向/未修改
--   label.status_4xx.en: 4xx client error
--   label.status_4xx.zh: 4xx 客户端错误
--   label.status_5xx.en: 5xx server error
--   label.status_5xx.zh: 5xx 服务器错误
--   order: 50
-- panel: web_errors
--   kind: timeseries
--   table: web_minute
--   time: window_end
--   values: error_rate
--   format: percent
--   title.en: Error rate per minute
--   title.zh: 每分钟错误率
--   note.en: Requests answered 4xx or 5xx, over all requests of the minute
--   note.zh: 4xx 与 5xx 响应占该分钟全部请求的比例
--   label.error_rate.en: Error rate
--   label.error_rate.zh: 错误率
--   order: 55
-- panel: web_bandwidth
--   kind: timeseries
--   table: web_minute
--   time: window_end
--   values: bytes
--   format: bytes
--   title.en: Bandwidth per minute
--   title.zh: 每分钟流量
--   note.en: Response bytes of every request, as logged
--   note.zh: 全部请求的响应字节数（按日志记录）
--   label.bytes.en: Bytes sent
--   label.bytes.zh: 发送字节
--   order: 60
-- panel: web_bots
--   kind: bar
--   table: web_minute
--   time: window_end
--   values: human_requests, bot_requests
--   stack: true
--   title.en: People and bots per minute
--   title.zh: 每分钟真人与机器人请求
--   note.en: Bots: user agents matching the list in tables/bots.sql, or none at all
--   note.zh: 机器人：用户代理匹配 tables/bots.sql 中的列表，或没有用户代理
--   label.human_requests.en: People
--   label.human_requests.zh: 真人
--   label.bot_requests.en: Bots
--   label.bot_requests.zh: 机器人
--   order: 65
-- panel: web_top_pages
--   kind: top
--   table: web_top_pages
--   time: window_end
--   key: page
--   values: page_views
--   retain: 1h
--   stale_after: 30m
--   title.en: Top pages
--   title.zh: 热门页面
--   note.en: Page views per page (query string removed) in the latest closed window
--   note.zh: 最近一个已关闭窗口内各页面的浏览量（不含查询参数）
--   label.page.en: Page
--   label.page.zh: 页面
--   label.page_views.en: Page views
--   label.page_views.zh: 浏览量
--   order: 70
-- panel: web_top_referrers
--   kind: top
--   table: web_top_referrers
--   time: window_end
--   key: referrer
--   values: page_views
--   retain: 1h
--   stale_after: 30m
--   title.en: Top referrers
--   title.zh: 热门来源
--   note.en: Page views arriving from other sites, by the referring host, in the latest closed window
--   note.zh: 最近一个已关闭窗口内从其他网站进入的浏览量，按来源主机统计
--   label.referrer.en: Referrer
--   label.referrer.zh: 来源
--   label.page_views.en: Page views
--   label.page_views.zh: 浏览量
--   order: 75
-- panel: web_top_404
--   kind: top
--   table: web_top_404
--   time: window_end
--   key: path
--   values: requests
--   retain: 1h
--   stale_after: 30m
--   title.en: Top 404 paths
--   title.zh: 404 路径排行
--   note.en: Requests answered 404 Not Found per path, bots included, in the latest closed window
--   note.zh: 最近一个已关闭窗口内返回 404 的请求数，按路径统计（含机器人）
--   label.path.en: Path
--   label.path.zh: 路径
--   label.requests.en: Requests
--   label.requests.zh: 请求
--   order: 80
--
-- var WEB_MINUTE_TOPIC = web_minute
-- var WEB_HOUR_TOPIC = web_hour
-- var WEB_TODAY_TOPIC = web_today
-- var WEB_TOP_PAGES_TOPIC = web_top_pages
-- var WEB_TOP_REFERRERS_TOPIC = web_top_referrers
-- var WEB_TOP_404_TOPIC = web_top_404
-- Minutes per top-list window, 1 to 99 (a literal INTERVAL 'n' MINUTE has two digits).
-- var TOP_WINDOW = 10
-- var TOP_N = 10
-- The site's own host names, comma-separated: referrers from them are internal navigation.
-- var SITE_HOSTS = campus.example.edu
-- var CAMPUS_TIMEZONE = Asia/Shanghai
-- var STATE_TTL = 2 d
-- var GROUP_PREFIX = pulse-web
-- #include tables/common.sql
-- #include tables/access_log.sql
-- #include tables/bots.sql
-- #include tables/jdbc.sql

SET 'table.exec.state.ttl' = '${STATE_TTL}';
-- COUNT(DISTINCT visitor) per day is split into buckets of visitors. Without the split, the whole
-- day's visitor set is one state entry, and Flink 1.12's state TTL cleanup copies that entry on
-- every access (TtlIncrementalCleanup over heap map state): measured with `npm run bench:jobs`,
-- this job alone read about 1,600 events/s unsplit and 8,100 split (200,000 events, 2 cores).
SET 'table.optimizer.distinct-agg.split.enabled' = 'true';
-- Without the incremental step Flink 1.12 merges into the split (partial global and final local
-- aggregates in one operator): with it, the day's figures of a finished campus day stayed short
-- after a TaskManager was lost and the job recovered (control-plane/test/history-jobs.test.ts).
SET 'table.optimizer.incremental-agg-enabled' = 'false';
-- A view read by several INSERTs is planned once and its rows shared: without this, Flink 1.12
-- plans each INSERT on its own, so every output repeated the parsing of each request (its
-- regular expressions) and the minute, hour and day aggregates ran twice (Kafka and history).
SET 'table.optimizer.reuse-optimize-block-with-digest-enabled' = 'true';
-- One row object flows through the operators chained in a thread instead of a copy per operator
-- (Flink SQL's operators do not keep references to their input rows); this job fans every
-- request out to several aggregates, each of which otherwise received a copy.
SET 'pipeline.object-reuse' = 'true';
-- "Today" is upserted once per second (per day key), not once per request.
SET 'table.exec.mini-batch.enabled' = 'true';
SET 'table.exec.mini-batch.allow-latency' = '1 s';
SET 'table.exec.mini-batch.size' = '5000';

CREATE TABLE web_minute (
  window_start STRING,
  window_end STRING,
  requests BIGINT,
  page_views BIGINT,
  visitors BIGINT,
  `bytes` BIGINT,
  status_2xx BIGINT,
  status_3xx BIGINT,
  status_4xx BIGINT,
  status_5xx BIGINT,
  error_rate DOUBLE,
  bot_requests BIGINT,
  human_requests BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = '${WEB_MINUTE_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  -- Transactions committed on checkpoints: read_committed readers see each window once.
  'sink.semantic' = 'exactly-once',
  'properties.transaction.timeout.ms' = '600000',
  'key.format' = 'json',
  'key.fields' = 'window_end',
  'value.format' = 'json'
);

CREATE TABLE web_hour (
  window_start STRING,
  window_end STRING,
  requests BIGINT,
  page_views BIGINT,
  visitors BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = '${WEB_HOUR_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'sink.semantic' = 'exactly-once',
  'properties.transaction.timeout.ms' = '600000',
  'key.format' = 'json',
  'key.fields' = 'window_end',
  'value.format' = 'json'
);

CREATE TABLE web_today (
  campus_day STRING,
  day_start STRING,
  requests BIGINT,
  page_views BIGINT,
  visitors BIGINT,
  PRIMARY KEY (campus_day) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${WEB_TODAY_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json'
);

CREATE TABLE web_top_pages (
  window_start STRING,
  window_end STRING,
  rank_no BIGINT,
  page STRING,
  page_views BIGINT,
  PRIMARY KEY (window_end, rank_no) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${WEB_TOP_PAGES_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json'
);

CREATE TABLE web_top_referrers (
  window_start STRING,
  window_end STRING,
  rank_no BIGINT,
  referrer STRING,
  page_views BIGINT,
  PRIMARY KEY (window_end, rank_no) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${WEB_TOP_REFERRERS_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json'
);

CREATE TABLE web_top_404 (
  window_start STRING,
  window_end STRING,
  rank_no BIGINT,
  path STRING,
  requests BIGINT,
  PRIMARY KEY (window_end, rank_no) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${WEB_TOP_404_TOPIC}',
  'properties.bootstrap.servers' = '${BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json'
);

-- The history's traffic tables: upserts keyed by their bucket, so a replay overwrites.
CREATE TABLE traffic_minute (
  bucket_start TIMESTAMP(3),
  pv BIGINT,
  uv BIGINT,
  status_2xx BIGINT,
  status_3xx BIGINT,
  status_4xx BIGINT,
  status_5xx BIGINT,
  status_other BIGINT,
  PRIMARY KEY (bucket_start) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'traffic_minute',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'sink.buffer-flush.max-rows' = '${JDBC_FLUSH_ROWS}',
  'sink.buffer-flush.interval' = '${JDBC_FLUSH_INTERVAL}',
  'sink.max-retries' = '5'
);

CREATE TABLE traffic_hour (
  bucket_start TIMESTAMP(3),
  pv BIGINT,
  uv BIGINT,
  status_2xx BIGINT,
  status_3xx BIGINT,
  status_4xx BIGINT,
  status_5xx BIGINT,
  status_other BIGINT,
  PRIMARY KEY (bucket_start) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'traffic_hour',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'sink.buffer-flush.max-rows' = '${JDBC_FLUSH_ROWS}',
  'sink.buffer-flush.interval' = '${JDBC_FLUSH_INTERVAL}',
  'sink.max-retries' = '5'
);

CREATE TABLE traffic_day (
  campus_day DATE,
  pv BIGINT,
  uv BIGINT,
  status_2xx BIGINT,
  status_3xx BIGINT,
  status_4xx BIGINT,
  status_5xx BIGINT,
  status_other BIGINT,
  PRIMARY KEY (campus_day) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'traffic_day',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'sink.buffer-flush.max-rows' = '${JDBC_FLUSH_ROWS}',
  'sink.buffer-flush.interval' = '${JDBC_FLUSH_INTERVAL}',
  'sink.max-retries' = '5'
);

-- Every request once, with what the outputs count it as (see the header).
CREATE VIEW web_parts AS
SELECT
  event_time,
  visitor_id,
  `method`,
  status,
  COALESCE(`bytes`, 0) AS `bytes`,
  is_bot,
  REGEXP_REPLACE(COALESCE(path, ''), '[?#].*$', '') AS page,
  TRIM(COALESCE(referrer, '')) AS ref_text
FROM access_log_agents;

CREATE VIEW web_requests AS
SELECT
  event_time,
  visitor_id,
  `bytes`,
  page,
  status,
  is_bot,
  CASE
    WHEN `method` = 'GET'
      AND ((status >= 200 AND status < 300) OR status = 304)
      AND page LIKE '/%'
      AND NOT is_bot
      AND NOT REGEXP(LOWER(page), '[.](css|js|mjs|map|json|xml|txt|png|jpe?g|gif|svg|ico|webp|avif|bmp|tiff?|woff2?|ttf|otf|eot|mp4|webm|mp3|m4a|ogg|wav|pdf|zip|gz|tgz|rar|7z|docx?|xlsx?|pptx?|apk|exe|dmg|iso)$')
      AND NOT LOWER(page) LIKE '/.well-known/%'
    THEN TRUE ELSE FALSE
  END AS is_page,
  -- The referring host (lower case) of a URL; anything else as written. REGEXP_EXTRACT only runs
  -- on what matched (Flink 1.12's REGEXP_REPLACE takes no group references).
  CASE
    WHEN ref_text IN ('', '-') THEN CAST(NULL AS STRING)
    WHEN NOT REGEXP(ref_text, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#:]') THEN ref_text
    WHEN POSITION(
        CONCAT(',', LOWER(REGEXP_EXTRACT(ref_text, '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#:]+)', 1)), ',')
        IN CONCAT(',', REPLACE(LOWER('${SITE_HOSTS}'), ' ', ''), ',')) > 0
      THEN CAST(NULL AS STRING)
    ELSE LOWER(REGEXP_EXTRACT(ref_text, '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#:]+)', 1))
  END AS external_referrer,
  CASE WHEN status >= 200 AND status < 300 THEN 1 ELSE 0 END AS s2,
  CASE WHEN status >= 300 AND status < 400 THEN 1 ELSE 0 END AS s3,
  CASE WHEN status >= 400 AND status < 500 THEN 1 ELSE 0 END AS s4,
  CASE WHEN status >= 500 AND status < 600 THEN 1 ELSE 0 END AS s5,
  CASE WHEN status >= 200 AND status < 600 THEN 0 ELSE 1 END AS so,
  CASE WHEN is_bot THEN 1 ELSE 0 END AS bot
FROM web_parts;

-- Each aggregate runs once and feeds both its Kafka output and its history table.
CREATE VIEW minute_totals AS
SELECT
  TUMBLE_START(event_time, INTERVAL '1' MINUTE) AS w_start,
  TUMBLE_END(event_time, INTERVAL '1' MINUTE) AS w_end,
  COUNT(*) AS requests,
  CAST(SUM(CASE WHEN is_page THEN 1 ELSE 0 END) AS BIGINT) AS page_views,
  COUNT(DISTINCT visitor_id) AS visitors,
  SUM(`bytes`) AS `bytes`,
  CAST(SUM(s2) AS BIGINT) AS s2,
  CAST(SUM(s3) AS BIGINT) AS s3,
  CAST(SUM(s4) AS BIGINT) AS s4,
  CAST(SUM(s5) AS BIGINT) AS s5,
  CAST(SUM(so) AS BIGINT) AS so,
  CAST(SUM(bot) AS BIGINT) AS bots
FROM web_requests
GROUP BY TUMBLE(event_time, INTERVAL '1' MINUTE);

INSERT INTO web_minute
SELECT
  DATE_FORMAT(w_start, 'yyyy-MM-dd''T''HH:mm:ss''Z'''),
  DATE_FORMAT(w_end, 'yyyy-MM-dd''T''HH:mm:ss''Z'''),
  requests,
  page_views,
  visitors,
  `bytes`,
  s2,
  s3,
  s4,
  s5,
  CAST(s4 + s5 AS DOUBLE) / requests,
  bots,
  requests - bots
FROM minute_totals;

INSERT INTO traffic_minute
SELECT w_start, requests, visitors, s2, s3, s4, s5, so FROM minute_totals;

CREATE VIEW hour_totals AS
SELECT
  TUMBLE_START(event_time, INTERVAL '1' HOUR) AS w_start,
  TUMBLE_END(event_time, INTERVAL '1' HOUR) AS w_end,
  COUNT(*) AS requests,
  CAST(SUM(CASE WHEN is_page THEN 1 ELSE 0 END) AS BIGINT) AS page_views,
  COUNT(DISTINCT visitor_id) AS visitors,
  CAST(SUM(s2) AS BIGINT) AS s2,
  CAST(SUM(s3) AS BIGINT) AS s3,
  CAST(SUM(s4) AS BIGINT) AS s4,
  CAST(SUM(s5) AS BIGINT) AS s5,
  CAST(SUM(so) AS BIGINT) AS so
FROM web_requests
GROUP BY TUMBLE(event_time, INTERVAL '1' HOUR);

INSERT INTO web_hour
SELECT
  DATE_FORMAT(w_start, 'yyyy-MM-dd''T''HH:mm:ss''Z'''),
  DATE_FORMAT(w_end, 'yyyy-MM-dd''T''HH:mm:ss''Z'''),
  requests,
  page_views,
  visitors
FROM hour_totals;

INSERT INTO traffic_hour
SELECT w_start, requests, visitors, s2, s3, s4, s5, so FROM hour_totals;

CREATE VIEW day_totals AS
SELECT
  SUBSTRING(CONVERT_TZ(DATE_FORMAT(event_time, 'yyyy-MM-dd HH:mm:ss'), 'UTC', '${CAMPUS_TIMEZONE}'), 1, 10) AS campus_day,
  COUNT(*) AS requests,
  CAST(SUM(CASE WHEN is_page THEN 1 ELSE 0 END) AS BIGINT) AS page_views,
  COUNT(DISTINCT visitor_id) AS visitors,
  CAST(SUM(s2) AS BIGINT) AS s2,
  CAST(SUM(s3) AS BIGINT) AS s3,
  CAST(SUM(s4) AS BIGINT) AS s4,
  CAST(SUM(s5) AS BIGINT) AS s5,
  CAST(SUM(so) AS BIGINT) AS so
FROM web_requests
GROUP BY SUBSTRING(CONVERT_TZ(DATE_FORMAT(event_time, 'yyyy-MM-dd HH:mm:ss'), 'UTC', '${CAMPUS_TIMEZONE}'), 1, 10);

INSERT INTO web_today
SELECT
  campus_day,
  -- Local midnight of the campus day, as a UTC instant (what the dashboard orders days by).
  CONCAT(REPLACE(CONVERT_TZ(CONCAT(campus_day, ' 00:00:00'), '${CAMPUS_TIMEZONE}', 'UTC'), ' ', 'T'), 'Z'),
  requests,
  page_views,
  visitors
FROM day_totals;

INSERT INTO traffic_day
SELECT CAST(campus_day AS DATE), requests, visitors, s2, s3, s4, s5, so FROM day_totals;

CREATE VIEW page_counts AS
SELECT
  TUMBLE_START(event_time, INTERVAL '${TOP_WINDOW}' MINUTE) AS w_start,
  TUMBLE_END(event_time, INTERVAL '${TOP_WINDOW}' MINUTE) AS w_end,
  page,
  COUNT(*) AS page_views
FROM web_requests
WHERE is_page
GROUP BY TUMBLE(event_time, INTERVAL '${TOP_WINDOW}' MINUTE), page;

INSERT INTO web_top_pages
SELECT
  DATE_FORMAT(w_start, 'yyyy-MM-dd''T''HH:mm:ss''Z'''),
  DATE_FORMAT(w_end, 'yyyy-MM-dd''T''HH:mm:ss''Z'''),
  rank_no,
  page,
  page_views
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY w_end ORDER BY page_views DESC, page ASC) AS rank_no
  FROM page_counts
)
WHERE rank_no <= ${TOP_N};

CREATE VIEW referrer_counts AS
SELECT
  TUMBLE_START(event_time, INTERVAL '${TOP_WINDOW}' MINUTE) AS w_start,
  TUMBLE_END(event_time, INTERVAL '${TOP_WINDOW}' MINUTE) AS w_end,
  external_referrer AS referrer,
  COUNT(*) AS page_views
FROM web_requests
WHERE is_page AND external_referrer IS NOT NULL
GROUP BY TUMBLE(event_time, INTERVAL '${TOP_WINDOW}' MINUTE), external_referrer;

INSERT INTO web_top_referrers
SELECT
  DATE_FORMAT(w_start, 'yyyy-MM-dd''T''HH:mm:ss''Z'''),
  DATE_FORMAT(w_end, 'yyyy-MM-dd''T''HH:mm:ss''Z'''),
  rank_no,
  referrer,
  page_views
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY w_end ORDER BY page_views DESC, referrer ASC) AS rank_no
  FROM referrer_counts
)
WHERE rank_no <= ${TOP_N};

CREATE VIEW not_found_counts AS
SELECT
  TUMBLE_START(event_time, INTERVAL '${TOP_WINDOW}' MINUTE) AS w_start,
  TUMBLE_END(event_time, INTERVAL '${TOP_WINDOW}' MINUTE) AS w_end,
  page AS path,
  COUNT(*) AS requests
FROM web_requests
WHERE status = 404
GROUP BY TUMBLE(event_time, INTERVAL '${TOP_WINDOW}' MINUTE), page;

INSERT INTO web_top_404
SELECT
  DATE_FORMAT(w_start, 'yyyy-MM-dd''T''HH:mm:ss''Z'''),
  DATE_FORMAT(w_end, 'yyyy-MM-dd''T''HH:mm:ss''Z'''),
  rank_no,
  path,
  requests
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY w_end ORDER BY requests DESC, path ASC) AS rank_no
  FROM not_found_counts
)
WHERE rank_no <= ${TOP_N};
