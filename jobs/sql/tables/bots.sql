-- Bots: which requests of access_log come from robots (crawlers, monitors, scripts), not people.
-- Include it after tables/access_log.sql; it adds the view access_log_agents: every column of
-- access_log (event_time stays the event-time attribute) plus is_bot.
--
-- A request is a bot's when its user agent is missing, empty or '-' (every browser sends one), or
-- when its lower-cased user agent contains one of the patterns below. Edit the list to suit the
-- campus: one pattern per line, lower case, a Java regular expression (most are plain words; a '.'
-- matches any character, write '[.]' for a dot). A cut user agent (no closing quote in the log) is
-- matched as far as it goes. Note that 'bot' also matches a browser whose name contains it (the
-- Cubot phone brand, say): add the exceptions you meet as a longer pattern elsewhere if needed.
-- Editing the list changes the job: deploy it again (an upgrade keeps the job's state).
CREATE VIEW access_log_agents AS
SELECT
  *,
  CASE
    WHEN user_agent IS NULL OR TRIM(user_agent) IN ('', '-') THEN TRUE
    WHEN REGEXP(LOWER(user_agent), CONCAT_WS('|',
      'bot',                -- Googlebot, bingbot, YandexBot, Applebot, AhrefsBot, ...
      'crawl',              -- crawler, Crawl
      'spider',             -- Baiduspider, Sogou web spider, Bytespider
      'slurp',              -- Yahoo
      'archiver',           -- ia_archiver
      'facebookexternalhit',
      'headless',           -- HeadlessChrome
      'phantomjs',
      'lighthouse',
      'pingdom',
      'uptime',             -- UptimeRobot, uptime checkers
      'monitor',
      'curl/',
      'wget/',
      'python-requests',
      'python-urllib',
      'aiohttp',
      'go-http-client',
      'java/',
      'okhttp',
      'apache-httpclient',
      'libwww-perl',
      'scrapy',
      'axios/',
      'node-fetch'
    )) THEN TRUE
    ELSE FALSE
  END AS is_bot
FROM access_log;
