package pulse.runner;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code SET key = value} and {@code RESET key}, with the key and value optionally in single
 * quotes (Flink 1.18's SQL client writes {@code SET 'key' = 'value'}).
 */
public final class SetCommand {
    private static final Pattern SET = Pattern.compile(
        "(?is)^SET\\s+('(?:[^']|'')+'|[^\\s=]+)\\s*=\\s*('(?:[^']|'')*'|.+?)\\s*$");

    public final String key;
    public final String value;

    private SetCommand(String key, String value) {
        this.key = key;
        this.value = value;
    }

    /** Returns the parsed command, or null when the text is not a well-formed SET. */
    public static SetCommand parse(String text) {
        Matcher m = SET.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        return new SetCommand(unquote(m.group(1)), unquote(m.group(2)));
    }

    private static final Pattern RESET = Pattern.compile("(?is)^RESET(?:\\s+('(?:[^']|'')+'|[^\\s']+))?\\s*$");

    /**
     * The key of {@code RESET key}, the empty string for a bare {@code RESET} (every key), or null
     * when the text is not a well-formed RESET.
     */
    public static String parseReset(String text) {
        Matcher m = RESET.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        return m.group(1) == null ? "" : unquote(m.group(1));
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && s.startsWith("'") && s.endsWith("'")) {
            return s.substring(1, s.length() - 1).replace("''", "'");
        }
        return s;
    }
}
