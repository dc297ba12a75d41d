package pulse.runner.planner;

import java.util.Locale;

/** What a statement is, read from its leading keywords (comments and parentheses skipped). */
enum SqlKind {
    SET, RESET, QUERY, INSERT, EXPLAIN, SHOW, DESCRIBE, USE, DDL, OTHER;

    /** True for statements whose effect the session keeps, so a deployed INSERT needs them too. */
    boolean changesState() {
        return this == SET || this == RESET || this == USE || this == DDL;
    }

    static SqlKind of(String statement) {
        String first = firstWord(statement, 0);
        switch (first) {
            case "SET":
                return SET;
            case "RESET":
                return RESET;
            case "SELECT":
            case "WITH":
            case "VALUES":
            case "(":
                return QUERY;
            case "INSERT":
                return INSERT;
            case "EXPLAIN":
                return EXPLAIN;
            case "SHOW":
                return SHOW;
            case "DESCRIBE":
            case "DESC":
                return DESCRIBE;
            case "USE":
                return USE;
            case "CREATE":
            case "DROP":
            case "ALTER":
                return DDL;
            default:
                return OTHER;
        }
    }

    /** The first word at or after {@code from}, upper-cased; "(" for an opening parenthesis. */
    static String firstWord(String s, int from) {
        int i = skipBlanks(s, from);
        if (i < s.length() && s.charAt(i) == '(') {
            return "(";
        }
        int start = i;
        while (i < s.length() && Character.isLetter(s.charAt(i))) {
            i++;
        }
        return s.substring(start, i).toUpperCase(Locale.ROOT);
    }

    /** Skips whitespace, -- line comments and block comments. */
    static int skipBlanks(String s, int i) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        return i;
    }
}
