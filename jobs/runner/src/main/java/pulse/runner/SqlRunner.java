package pulse.runner;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Base64;
import java.util.List;

import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * Runs one SQL script as one Flink job. SET statements configure the job, DDL runs in order, and
 * every INSERT joins one StatementSet that is executed once at the end: Flink 1.12's web
 * submission runs exactly one job per call.
 *
 * <p>Arguments: {@code --script-base64 <b64>} or {@code --script-file <path>}, and optionally
 * {@code --name <script name>} used in the job name when the script sets none.
 */
public final class SqlRunner {
    private SqlRunner() {}

    public static void main(String[] args) throws Exception {
        Args parsed = Args.parse(args);
        List<Statement> statements = ScriptSplitter.split(parsed.script);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        EnvironmentSettings settings = EnvironmentSettings.newInstance().useBlinkPlanner().inStreamingMode().build();
        StreamTableEnvironment tableEnv = StreamTableEnvironment.create(env, settings);
        Configuration tableConf = tableEnv.getConfig().getConfiguration();
        Configuration jobConf = new Configuration();
        tableConf.setString("pipeline.name", parsed.name);
        jobConf.setString("pipeline.name", parsed.name);
        // Every job's tables live in a database named after the job. Flink 1.12's exactly-once
        // Kafka sink names its transactions after the task (operator descriptions, sink table
        // included) and the operator id (the same for the same SQL): two jobs running the same
        // script under different names would otherwise share transactional ids and fence each
        // other ("Producer attempted an operation with an old epoch") in a restart loop.
        String database = parsed.database();
        tableEnv.executeSql("CREATE DATABASE IF NOT EXISTS `" + database.replace("`", "``") + "`");
        tableEnv.useDatabase(database);

        StatementSet inserts = tableEnv.createStatementSet();
        int insertCount = 0;
        for (Statement stmt : statements) {
            String keyword = stmt.keyword();
            try {
                if ("SET".equals(keyword)) {
                    SetCommand set = SetCommand.parse(stmt.text());
                    if (set == null) {
                        throw new RunnerException(stmt.number(), stmt.line(), stmt.column(),
                            "SET needs the form SET key = value");
                    }
                    tableConf.setString(set.key, set.value);
                    jobConf.setString(set.key, set.value);
                } else if ("RESET".equals(keyword)) {
                    // The SQL gateway's INSERT scripts replay an analyst's session, RESETs included.
                    String key = SetCommand.parseReset(stmt.text());
                    if (key == null) {
                        throw new RunnerException(stmt.number(), stmt.line(), stmt.column(),
                            "RESET needs the form RESET key, or RESET alone");
                    }
                    reset(tableConf, jobConf, key, parsed.name);
                } else if ("INSERT".equals(keyword)) {
                    inserts.addInsertSql(stmt.text());
                    insertCount++;
                } else if ("SELECT".equals(keyword) || "WITH".equals(keyword)) {
                    throw new RunnerException(stmt.number(), stmt.line(), stmt.column(),
                        "a job script cannot end in a bare query; write INSERT INTO <sink> SELECT ...");
                } else {
                    tableEnv.executeSql(stmt.text());
                }
            } catch (RunnerException e) {
                throw e;
            } catch (Exception e) {
                throw RunnerException.forStatement(stmt, e);
            }
        }
        if (insertCount == 0) {
            throw new RunnerException(statements.size() + 1, 1, 1,
                "the script has no INSERT statement, so there is no job to run");
        }
        // Checkpointing, restart and parallelism settings live on the execution environment.
        env.configure(jobConf, Thread.currentThread().getContextClassLoader());
        TableResult result;
        try {
            result = inserts.execute();
        } catch (Exception e) {
            Statement first = firstInsert(statements);
            throw RunnerException.forStatement(first, e);
        }
        result.getJobClient().ifPresent(client ->
            System.out.println("SQLRUNNER_JOB " + client.getJobID() + " " + parsed.name));
    }

    /** Forgets a SET key (every key for ""), keeping the job's name. */
    private static void reset(Configuration tableConf, Configuration jobConf, String key, String name) {
        for (Configuration conf : new Configuration[] {tableConf, jobConf}) {
            if (key.isEmpty()) {
                for (String k : conf.keySet()) {
                    conf.removeConfig(ConfigOptions.key(k).stringType().noDefaultValue());
                }
            } else {
                conf.removeConfig(ConfigOptions.key(key).stringType().noDefaultValue());
            }
            conf.setString("pipeline.name", name);
        }
    }

    private static Statement firstInsert(List<Statement> statements) {
        for (Statement s : statements) {
            if ("INSERT".equals(s.keyword())) {
                return s;
            }
        }
        return statements.get(statements.size() - 1);
    }

    /** The runner's command line. */
    static final class Args {
        final String script;
        final String name;

        /** The job's name without the version Flink's job name carries after '@'. */
        String database() {
            int at = name.lastIndexOf('@');
            return at > 0 ? name.substring(0, at) : name;
        }

        private Args(String script, String name) {
            this.script = script;
            this.name = name;
        }

        static Args parse(String[] args) throws Exception {
            String script = null;
            String name = "sql-job";
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                String value = i + 1 < args.length ? args[i + 1] : null;
                if ("--script-base64".equals(flag) && value != null) {
                    script = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
                    i++;
                } else if ("--script-file".equals(flag) && value != null) {
                    script = new String(Files.readAllBytes(Paths.get(value)), StandardCharsets.UTF_8);
                    i++;
                } else if ("--name".equals(flag) && value != null) {
                    name = value;
                    i++;
                } else {
                    throw new IllegalArgumentException("unknown or incomplete argument: " + flag
                        + " (usage: --script-base64 <b64> | --script-file <path> [--name <job name>])");
                }
            }
            if (script == null) {
                throw new IllegalArgumentException("no script given: pass --script-base64 or --script-file");
            }
            return new Args(script, name);
        }
    }
}
