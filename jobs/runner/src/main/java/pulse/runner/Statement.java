package pulse.runner;

/** One statement of a script, with where it starts in the file (1-based). */
public final class Statement {
    private final int number;
    private final String text;
    private final int line;
    private final int column;

    public Statement(int number, String text, int line, int column) {
        this.number = number;
        this.text = text;
        this.line = line;
        this.column = column;
    }

    /** 1-based position of the statement in the script. */
    public int number() {
        return number;
    }

    /** The statement without its terminating semicolon; comments inside it are kept (hints live there). */
    public String text() {
        return text;
    }

    /** File line of the statement's first character. */
    public int line() {
        return line;
    }

    /** File column of the statement's first character. */
    public int column() {
        return column;
    }

    /** The first keyword, upper-cased, or an empty string. */
    public String keyword() {
        int i = 0;
        while (i < text.length() && Character.isLetter(text.charAt(i))) {
            i++;
        }
        return text.substring(0, i).toUpperCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return "statement " + number + " (line " + line + ")";
    }
}
