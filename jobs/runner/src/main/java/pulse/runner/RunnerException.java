package pulse.runner;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A script failure pinned to a statement and a file position. Its message carries a one-line
 * machine-readable marker so a caller reading Flink's REST error text can find it again.
 */
public final class RunnerException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** Flink/Calcite report positions as "line L, column C" relative to the statement. */
    private static final Pattern POSITION = Pattern.compile("line (\\d+), column (\\d+)");

    private final int statement;
    private final int line;
    private final int column;
    private final String flinkMessage;

    public RunnerException(int statement, int line, int column, String flinkMessage) {
        this(statement, line, column, flinkMessage, null);
    }

    public RunnerException(int statement, int line, int column, String flinkMessage, Throwable cause) {
        super(format(statement, line, column, flinkMessage), cause);
        this.statement = statement;
        this.line = line;
        this.column = column;
        this.flinkMessage = flinkMessage;
    }

    /** Wraps Flink's error for a statement, mapping a statement-relative position to the file. */
    public static RunnerException forStatement(Statement stmt, Throwable error) {
        String message = deepestMessage(error);
        int line = stmt.line();
        int column = stmt.column();
        int[] position = position(message);
        if (position != null) {
            int relLine = position[0];
            int relColumn = position[1];
            line = stmt.line() + relLine - 1;
            column = relLine == 1 ? stmt.column() + relColumn - 1 : relColumn;
        }
        return new RunnerException(stmt.number(), line, column, message, error);
    }

    /** The first "line L, column C" Flink's message names, as {L, C}, or null when it names none. */
    public static int[] position(String message) {
        Matcher m = POSITION.matcher(message);
        if (!m.find()) {
            return null;
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /** Flink wraps the planner's reason; the outermost message plus the root cause reads best. */
    public static String deepestMessage(Throwable error) {
        String top = String.valueOf(error.getMessage());
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootMessage = String.valueOf(root.getMessage());
        if (root == error || top.contains(rootMessage)) {
            return top;
        }
        return top + " (cause: " + rootMessage + ")";
    }

    private static String format(int statement, int line, int column, String message) {
        return "statement " + statement + " at line " + line + ", column " + column + ": " + message
            + "\nSQLRUNNER_ERROR " + json(statement, line, column, message);
    }

    private static String json(int statement, int line, int column, String message) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"statement\":").append(statement)
            .append(",\"line\":").append(line)
            .append(",\"column\":").append(column)
            .append(",\"message\":\"");
        for (char c : message.toCharArray()) {
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append("\"}").toString();
    }

    public int statement() {
        return statement;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public String flinkMessage() {
        return flinkMessage;
    }
}
