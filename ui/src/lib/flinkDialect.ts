/**
 * Flink SQL for CodeMirror: its keywords, types and built-in functions, backquoted identifiers
 * and no backslash escapes in strings. Only the SQL page imports it, so it stays in that chunk.
 */
import { SQLDialect } from '@codemirror/lang-sql';

const KEYWORDS = [
  // queries
  'select all distinct from where group by having order asc desc limit offset fetch first next',
  'rows row only union intersect except minus with as on using join inner left right full outer',
  'cross natural lateral unnest values table in exists between like similar escape is not and or',
  'null true false unknown case when then else end cast try_cast over partition range preceding',
  'following unbounded current window tumble hop session cumulate descriptor match_recognize',
  'measures pattern define within skip past last any some system_time for of',
  'interval year month day hour minute second',
  // data definition and the session
  'create drop alter rename to temporary temporal if catalog catalogs database databases view',
  'views function functions tables columns module modules load unload use show describe desc',
  'explain plan comment watermark primary key enforced constraint partitioned computed metadata',
  'virtual like including excluding overwriting options constraints generated language java',
  'scala python set reset insert into overwrite statement begin execute',
  'current catalog database changelog_mode estimated_cost json_execution_plan',
  // time attributes
  'proctime rowtime',
].join(' ');

const TYPES = [
  'char varchar string boolean binary varbinary bytes decimal dec numeric tinyint smallint int',
  'integer bigint float double precision real date time timestamp timestamp_ltz zone local',
  'with without array multiset map raw',
].join(' ');

const BUILTINS = [
  'count sum avg min max stddev_pop stddev_samp var_pop var_samp collect listagg first_value',
  'last_value row_number rank dense_rank lag lead',
  'abs mod sqrt ln log log10 log2 exp power ceil ceiling floor round truncate rand rand_integer',
  'sign pi e sin cos tan asin acos atan atan2 degrees radians bin hex uuid',
  'char_length character_length upper lower position trim ltrim rtrim overlay substring',
  'substr replace regexp_replace regexp_extract initcap concat concat_ws lpad rpad repeat',
  'reverse split_index str_to_map from_base64 to_base64 ascii chr decode encode instr locate',
  'md5 sha1 sha224 sha256 sha384 sha512 sha2 json_value json_query json_exists',
  'current_date current_time current_timestamp localtime localtimestamp now extract',
  'date_format to_date to_timestamp unix_timestamp from_unixtime timestampadd timestampdiff',
  'convert_tz dayofweek dayofmonth dayofyear quarter week',
  'tumble_start tumble_end tumble_rowtime tumble_proctime hop_start hop_end hop_rowtime',
  'hop_proctime session_start session_end session_rowtime session_proctime coalesce nullif',
  'if ifnull is_alpha is_decimal is_digit greatest least element cardinality',
].join(' ');

export const FlinkSQL = SQLDialect.define({
  keywords: KEYWORDS,
  types: TYPES,
  builtin: BUILTINS,
  identifierQuotes: '`',
  backslashEscapes: false,
  caseInsensitiveIdentifiers: true,
});
