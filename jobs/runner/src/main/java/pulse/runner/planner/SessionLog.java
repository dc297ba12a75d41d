package pulse.runner.planner;

import java.util.ArrayList;
import java.util.List;

/**
 * The statements that changed a session (SET/RESET, CREATE/DROP/ALTER, USE), in order: an INSERT
 * is answered with them and the INSERT as one script, so deploying it rebuilds the same session.
 */
final class SessionLog {
    private final List<String> statements = new ArrayList<String>();

    void add(String statement) {
        statements.add(statement);
    }

    /** The logged statements and then the last one, each ended with ";" on its own line. */
    String scriptWith(String last) {
        StringBuilder sb = new StringBuilder();
        for (String s : statements) {
            end(sb.append(s));
        }
        return end(sb.append(last)).toString();
    }

    /** Ends a statement; after a trailing -- comment the semicolon needs a line of its own. */
    private static StringBuilder end(StringBuilder sb) {
        int lineStart = sb.lastIndexOf("\n") + 1;
        if (sb.indexOf("--", lineStart) >= 0) {
            sb.append('\n');
        }
        return sb.append(";\n");
    }

    /** SET in Flink 1.18's quoted form. */
    static String set(String key, String value) {
        return "SET " + quote(key) + " = " + quote(value);
    }

    /** A SQL string literal. */
    static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** A SQL identifier in backticks. */
    static String quoteIdentifier(String s) {
        return "`" + s.replace("`", "``") + "`";
    }
}
