package pulse.runner.planner;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.TableSchema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.TimestampType;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import pulse.runner.RunnerException;
import pulse.runner.ScriptSplitter;
import pulse.runner.SetCommand;
import pulse.runner.Statement;
import pulse.runner.preview.PreviewJsonFormatFactory;

/**
 * One SQL session: a Blink streaming TableEnvironment whose execution environment submits to the
 * cluster, the options SET in it, and the state-changing statements run so far (an INSERT is
 * answered with them, so that deploying it rebuilds the same session). Not thread-safe itself:
 * {@link SessionThread} runs all of a session's work on one thread of its own.
 */
final class Session {
    final String id;
    private final StreamExecutionEnvironment env;
    private final StreamTableEnvironment tableEnv;
    private final Configuration tableConf;
    /** The options given at open: RESET returns to them. */
    private final Map<String, String> initial;
    private final Map<String, String> properties = new TreeMap<String, String>();
    private final SessionLog log = new SessionLog();
    private int previews;

    /** Builds a session; call it on the session's own thread (the planner keeps per-thread state). */
    Session(String id, Map<String, String> initial, Configuration cluster) {
        this.id = id;
        this.initial = new TreeMap<String, String>(initial);
        this.env = new StreamExecutionEnvironment(new Configuration(cluster));
        this.env.setParallelism(1);
        EnvironmentSettings settings = EnvironmentSettings.newInstance().useBlinkPlanner().inStreamingMode().build();
        this.tableEnv = StreamTableEnvironment.create(env, settings);
        this.tableConf = tableEnv.getConfig().getConfiguration();
        for (Map.Entry<String, String> e : this.initial.entrySet()) {
            set(e.getKey(), e.getValue());
            log.add(SessionLog.set(e.getKey(), e.getValue()));
        }
    }

    Map<String, String> properties() {
        return new TreeMap<String, String>(properties);
    }

    /** Runs the shared tables' script; a failing statement is named with its place in the script. */
    void runPrelude(String script) {
        List<Statement> statements;
        try {
            statements = ScriptSplitter.split(script);
        } catch (RunnerException e) {
            throw new PlannerError(400, "prelude: " + e.flinkMessage(), e.line(), e.column(), e);
        }
        for (Statement stmt : statements) {
            try {
                execute(stmt.text(), null);
            } catch (PlannerError e) {
                int line = e.hasPosition() ? stmt.line() + e.line() - 1 : stmt.line();
                int column = e.hasPosition() ? (e.line() == 1 ? stmt.column() + e.column() - 1 : e.column()) : stmt.column();
                throw new PlannerError(400, "prelude statement " + stmt.number() + " (line " + stmt.line() + "): "
                    + e.getMessage(), line, column, e);
            }
        }
    }

    /** Runs one statement and returns the planner's answer for it. */
    ObjectNode execute(String statement, Preview preview) {
        String text = trimStatement(statement);
        if (SqlKind.skipBlanks(text, 0) == text.length()) {
            throw new PlannerError(400, "the statement is empty (only blanks and comments)");
        }
        SqlKind kind = SqlKind.of(text);
        try {
            ObjectNode answer;
            switch (kind) {
                case SET:
                    answer = set(text);
                    break;
                case RESET:
                    answer = reset(text);
                    break;
                case QUERY:
                    answer = query(text, preview);
                    break;
                case INSERT:
                    answer = insert(text);
                    break;
                case EXPLAIN:
                    answer = explain(text);
                    break;
                case DESCRIBE:
                    answer = Results.of(Rewrite.forFlink112(text).run(tableEnv));
                    break;
                default:
                    answer = Results.of(tableEnv.executeSql(text));
                    if ("SUCCESS".equals(answer.get("resultKind").asText())) {
                        answer = Results.ok();
                    }
                    if (kind.changesState()) {
                        log.add(text);
                    }
            }
            return answer;
        } catch (PlannerError e) {
            throw e;
        } catch (Throwable e) {
            throw PlannerError.fromFlink(e);
        }
    }

    List<String> complete(String statement, int position) {
        int at = Math.max(0, Math.min(position, statement.length()));
        String[] hints = tableEnv.getCompletionHints(statement, at);
        List<String> out = new ArrayList<String>();
        if (hints != null) {
            Collections.addAll(out, hints);
        }
        return out;
    }

    private ObjectNode set(String text) {
        if (text.trim().equalsIgnoreCase("SET")) {
            return Results.properties(properties);
        }
        SetCommand command = SetCommand.parse(text);
        if (command == null) {
            throw new PlannerError(400, "SET needs the form SET 'key' = 'value' (or SET alone to list the options)");
        }
        set(command.key, command.value);
        log.add(SessionLog.set(command.key, command.value));
        return Results.ok();
    }

    private void set(String key, String value) {
        tableConf.setString(key, value);
        properties.put(key, value);
    }

    private ObjectNode reset(String text) {
        String key = SetCommand.parseReset(text);
        if (key == null) {
            throw new PlannerError(400, "RESET needs the form RESET 'key' (or RESET alone to reset every option)");
        }
        List<String> keys = key.isEmpty() ? new ArrayList<String>(properties.keySet()) : Collections.singletonList(key);
        log.add(key.isEmpty() ? "RESET" : "RESET " + SessionLog.quote(key));
        for (String k : keys) {
            tableConf.removeConfig(ConfigOptions.key(k).stringType().noDefaultValue());
            properties.remove(k);
            String initialValue = initial.get(k);
            if (initialValue != null) {
                set(k, initialValue);
                log.add(SessionLog.set(k, initialValue));
            }
        }
        return Results.ok();
    }

    private ObjectNode explain(String text) throws Exception {
        ExplainDetails details = ExplainDetails.parse(text);
        if (details == null) {
            return Results.of(Rewrite.forFlink112(text).run(tableEnv));
        }
        String plan;
        try {
            plan = tableEnv.explainSql(text.substring(details.start),
                details.details.toArray(new org.apache.flink.table.api.ExplainDetail[0]));
        } catch (RuntimeException e) {
            throw details.relocate(PlannerError.fromFlink(e), text);
        }
        List<Object[]> rows = new ArrayList<Object[]>();
        rows.add(new Object[] {plan});
        return Results.table("SUCCESS_WITH_CONTENT", Collections.singletonList("result"),
            Collections.singletonList(Results.STRING), rows);
    }

    private ObjectNode query(String text, Preview preview) throws Exception {
        TableSchema schema = tableEnv.sqlQuery(text).getSchema();
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("resultType", "QUERY");
        answer.set("columns", Results.columns(schema));
        if (preview == null) {
            tableEnv.explainSql(text);
            return answer;
        }
        answer.put("jobId", submitPreview(text, schema, preview));
        return answer;
    }

    /** Inserts the query into a temporary Kafka table of the preview-json format, as a cluster job. */
    private String submitPreview(String query, TableSchema schema, Preview preview) throws Exception {
        String sink = "`__preview_" + (++previews) + "`";
        StringBuilder ddl = new StringBuilder("CREATE TEMPORARY TABLE ").append(sink).append(" (\n");
        for (int i = 0; i < schema.getFieldCount(); i++) {
            ddl.append(i > 0 ? ",\n  " : "  ")
                .append(SessionLog.quoteIdentifier(schema.getFieldNames()[i]))
                .append(' ')
                .append(sinkType(schema.getFieldDataTypes()[i].getLogicalType()).asSerializableString());
        }
        ddl.append("\n) WITH (\n  'connector' = 'kafka',\n  'topic' = ").append(SessionLog.quote(preview.topic))
            .append(",\n  'properties.bootstrap.servers' = ").append(SessionLog.quote(preview.bootstrapServers))
            .append(",\n  'format' = '").append(PreviewJsonFormatFactory.IDENTIFIER)
            .append("',\n  '").append(PreviewJsonFormatFactory.IDENTIFIER).append('.')
            .append(PreviewJsonFormatFactory.TIME_ZONE.key()).append("' = ").append(SessionLog.quote(zone().getId()))
            .append("\n)");
        tableEnv.executeSql(ddl.toString());
        try {
            env.configure(asConfiguration(properties), Thread.currentThread().getContextClassLoader());
            String parallelism = properties.get("parallelism.default");
            env.setParallelism(parallelism == null ? 1 : Integer.parseInt(parallelism.trim()));
            tableConf.setString("pipeline.name", preview.jobName);
            TableResult result;
            try {
                // The query starts on a line of its own, so the planner's positions stay the statement's (one line down).
                result = tableEnv.executeSql("INSERT INTO " + sink + "\n" + query);
            } catch (Throwable e) {
                throw PlannerError.fromFlink(e).shiftedUp();
            }
            if (!result.getJobClient().isPresent()) {
                throw new PlannerError(500, "the preview was planned but no job was submitted");
            }
            return result.getJobClient().get().getJobID().toString();
        } finally {
            String name = properties.get("pipeline.name");
            if (name == null) {
                tableConf.removeConfig(ConfigOptions.key("pipeline.name").stringType().noDefaultValue());
            } else {
                tableConf.setString("pipeline.name", name);
            }
            tableEnv.executeSql("DROP TEMPORARY TABLE IF EXISTS " + sink);
        }
    }

    /** Sink columns take any row: nullable, and a time attribute becomes a plain TIMESTAMP(3). */
    static LogicalType sinkType(LogicalType type) {
        if (type instanceof TimestampType) {
            return new TimestampType(true, ((TimestampType) type).getPrecision());
        }
        return type.copy(true);
    }

    private ObjectNode insert(String text) {
        tableEnv.explainSql(text);
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("resultType", "INSERT");
        answer.put("script", log.scriptWith(text));
        return answer;
    }

    /** The session's zone: table.local-time-zone when set, else the planner's own. */
    private ZoneId zone() {
        String zone = properties.get("table.local-time-zone");
        if (zone == null || zone.equalsIgnoreCase("default")) {
            return ZoneId.systemDefault();
        }
        return ZoneId.of(zone);
    }

    private static Configuration asConfiguration(Map<String, String> map) {
        Configuration conf = new Configuration();
        for (Map.Entry<String, String> e : map.entrySet()) {
            conf.setString(e.getKey(), e.getValue());
        }
        return conf;
    }

    /**
     * Drops trailing semicolons and blanks (one statement comes per request). Leading blanks stay:
     * the positions Flink reports are the statement's as the client sent it.
     */
    static String trimStatement(String statement) {
        int end = statement.length();
        while (end > 0 && (Character.isWhitespace(statement.charAt(end - 1)) || statement.charAt(end - 1) == ';')) {
            end--;
        }
        return statement.substring(0, end);
    }

    /** Where and under which name a query's preview job writes. */
    static final class Preview {
        final String topic;
        final String bootstrapServers;
        final String jobName;

        Preview(String topic, String bootstrapServers, String jobName) {
            this.topic = topic;
            this.bootstrapServers = bootstrapServers;
            this.jobName = jobName;
        }
    }
}
