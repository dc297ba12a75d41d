package pulse.runner;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses {@code SET key = value}, with the key and value optionally in single quotes. */
final class SetCommand {
    private static final Pattern SET = Pattern.compile(
        "(?is)^SET\\s+('(?:[^']|'')+'|[^\\s=]+)\\s*=\\s*('(?:[^']|'')*'|.+?)\\s*$");

    final String key;
    final String value;

    private SetCommand(String key, String value) {
        this.key = key;
        this.value = value;
    }

    /** Returns the parsed command, or null when the text is not a well-formed SET. */
    static SetCommand parse(String text) {
        Matcher m = SET.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        return new SetCommand(unquote(m.group(1)), unquote(m.group(2)));
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && s.startsWith("'") && s.endsWith("'")) {
            return s.substring(1, s.length() - 1).replace("''", "'");
        }
        return s;
    }
}
