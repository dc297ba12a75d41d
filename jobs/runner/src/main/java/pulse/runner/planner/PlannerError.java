package pulse.runner.planner;

import pulse.runner.RunnerException;

/** A failure the planner answers with an HTTP status and {"error": {message, line?, column?}}. */
public final class PlannerError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    /** 1-based within the statement; 0 when the message names no position. */
    private final int line;
    private final int column;

    public PlannerError(int status, String message) {
        this(status, message, 0, 0, null);
    }

    public PlannerError(int status, String message, int line, int column, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.line = line;
        this.column = column;
    }

    /** Flink's own message for a failed statement (cause chain joined) and the position it names. */
    public static PlannerError fromFlink(Throwable error) {
        if (error instanceof PlannerError) {
            return (PlannerError) error;
        }
        String message = message(error);
        int[] position = RunnerException.position(message);
        return position == null
            ? new PlannerError(400, message, 0, 0, error)
            : new PlannerError(400, message, position[0], position[1], error);
    }

    /** The same error for a statement that ran one line below its own first line. */
    public PlannerError shiftedUp() {
        if (!hasPosition()) {
            return this;
        }
        return line > 1
            ? new PlannerError(status, getMessage(), line - 1, column, getCause())
            : new PlannerError(status, getMessage(), 0, 0, getCause());
    }

    /**
     * Flink's messages down the cause chain, each one that the ones before do not already hold,
     * joined; an exception without a message is named by its class.
     */
    public static String message(Throwable error) {
        StringBuilder sb = new StringBuilder();
        Throwable t = error;
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
            if (sb.indexOf(m) >= 0) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append("\nCaused by: ");
            }
            sb.append(m);
        }
        return sb.toString();
    }

    public int status() {
        return status;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public boolean hasPosition() {
        return line > 0;
    }
}
