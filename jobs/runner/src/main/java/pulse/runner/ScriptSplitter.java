package pulse.runner;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a SQL script into statements at semicolons that are not inside a string literal, a
 * quoted identifier or a comment. Segments holding only whitespace and comments are dropped.
 */
public final class ScriptSplitter {
    private ScriptSplitter() {}

    private enum State { CODE, SINGLE_QUOTE, DOUBLE_QUOTE, BACKTICK, LINE_COMMENT, BLOCK_COMMENT }

    /** Splits the script; statement numbers count only non-empty statements. */
    public static List<Statement> split(String script) {
        List<Statement> out = new ArrayList<Statement>();
        State state = State.CODE;
        int line = 1;
        int column = 1;
        int start = -1; // index of the current statement's first significant character
        int startLine = 0;
        int startColumn = 0;
        int i = 0;
        int n = script.length();
        while (i < n) {
            char c = script.charAt(i);
            char next = i + 1 < n ? script.charAt(i + 1) : '\0';
            int advance = 1;
            switch (state) {
                case CODE:
                    if (c == '-' && next == '-') {
                        state = State.LINE_COMMENT;
                        advance = 2;
                    } else if (c == '/' && next == '*') {
                        // A hint (/*+ ... */) belongs to the statement; a plain comment before it does not start one.
                        if (start < 0 && i + 2 < n && script.charAt(i + 2) == '+') {
                            start = i;
                            startLine = line;
                            startColumn = column;
                        }
                        state = State.BLOCK_COMMENT;
                        advance = 2;
                    } else if (c == ';') {
                        if (start >= 0) {
                            out.add(new Statement(out.size() + 1, script.substring(start, i).trim(), startLine, startColumn));
                            start = -1;
                        }
                    } else if (!Character.isWhitespace(c)) {
                        if (start < 0) {
                            start = i;
                            startLine = line;
                            startColumn = column;
                        }
                        if (c == '\'') {
                            state = State.SINGLE_QUOTE;
                        } else if (c == '"') {
                            state = State.DOUBLE_QUOTE;
                        } else if (c == '`') {
                            state = State.BACKTICK;
                        }
                    }
                    break;
                case SINGLE_QUOTE:
                    if (c == '\'') {
                        if (next == '\'') {
                            advance = 2; // '' is an escaped quote
                        } else {
                            state = State.CODE;
                        }
                    }
                    break;
                case DOUBLE_QUOTE:
                    if (c == '"') {
                        if (next == '"') {
                            advance = 2;
                        } else {
                            state = State.CODE;
                        }
                    }
                    break;
                case BACKTICK:
                    if (c == '`') {
                        if (next == '`') {
                            advance = 2;
                        } else {
                            state = State.CODE;
                        }
                    }
                    break;
                case LINE_COMMENT:
                    if (c == '\n') {
                        state = State.CODE;
                    }
                    break;
                case BLOCK_COMMENT:
                    if (c == '*' && next == '/') {
                        state = State.CODE;
                        advance = 2;
                    }
                    break;
                default:
                    throw new IllegalStateException(state.name());
            }
            for (int k = 0; k < advance && i < n; k++, i++) {
                if (script.charAt(i) == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
        }
        if (state == State.SINGLE_QUOTE || state == State.DOUBLE_QUOTE || state == State.BACKTICK) {
            throw new RunnerException(out.size() + 1, startLine, startColumn,
                "unterminated " + (state == State.SINGLE_QUOTE ? "string literal" : "quoted identifier"));
        }
        if (state == State.BLOCK_COMMENT && start < 0) {
            throw new RunnerException(out.size() + 1, line, column, "unterminated /* comment");
        }
        if (start >= 0) {
            String text = script.substring(start).trim();
            if (!text.isEmpty()) {
                out.add(new Statement(out.size() + 1, text, startLine, startColumn));
            }
        }
        return out;
    }
}
