package pulse.runner.planner;

import java.util.Locale;

import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * Flink 1.18 spellings that 1.12's parser lacks, rewritten to the 1.12 form: {@code EXPLAIN stmt}
 * (1.12 needs {@code EXPLAIN PLAN FOR stmt}) and {@code DESC t} (1.12 knows only DESCRIBE). Words
 * are inserted right after the keyword; positions Flink reports past it are moved back.
 */
final class Rewrite {
    final String text;
    /** Where the inserted words start, and how many characters they are. */
    final int at;
    final int inserted;

    private Rewrite(String text, int at, int inserted) {
        this.text = text;
        this.at = at;
        this.inserted = inserted;
    }

    static Rewrite forFlink112(String statement) {
        int start = SqlKind.skipBlanks(statement, 0);
        String first = SqlKind.firstWord(statement, start);
        int end = start + first.length();
        if ("DESC".equals(first)) {
            return insert(statement, end, "RIBE");
        }
        if ("EXPLAIN".equals(first)) {
            String next = SqlKind.firstWord(statement, end).toUpperCase(Locale.ROOT);
            if (!"PLAN".equals(next)) {
                return insert(statement, end, " PLAN FOR");
            }
        }
        return new Rewrite(statement, 0, 0);
    }

    private static Rewrite insert(String statement, int at, String words) {
        return new Rewrite(statement.substring(0, at) + words + statement.substring(at), at, words.length());
    }

    /** Runs the rewritten statement; an error's position is given back in the original text. */
    TableResult run(TableEnvironment tableEnv) {
        try {
            return tableEnv.executeSql(text);
        } catch (RuntimeException e) {
            throw original(PlannerError.fromFlink(e));
        }
    }

    /** A position in the rewritten text as one in the original (past the inserted words: moved back). */
    PlannerError original(PlannerError error) {
        if (inserted == 0 || !error.hasPosition()) {
            return error;
        }
        int line = 1;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        int column = at - text.lastIndexOf('\n', at - 1);
        if (error.line() != line || error.column() <= column) {
            return error;
        }
        return new PlannerError(error.status(), error.getMessage(), line,
            Math.max(column, error.column() - inserted), error.getCause());
    }
}
