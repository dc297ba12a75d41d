package pulse.runner.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.flink.table.api.ExplainDetail;

/**
 * Flink 1.18's {@code EXPLAIN ESTIMATED_COST, CHANGELOG_MODE <statement>}: 1.12's parser lacks the
 * form, but its {@code explainSql(statement, details)} has the two details 1.12 knows.
 */
final class ExplainDetails {
    final List<ExplainDetail> details;
    /** Where the explained statement starts in the EXPLAIN statement. */
    final int start;

    private ExplainDetails(List<ExplainDetail> details, int start) {
        this.details = details;
        this.start = start;
    }

    /** The details an EXPLAIN names before its statement, or null when it names none. */
    static ExplainDetails parse(String text) {
        int i = SqlKind.skipBlanks(text, 0);
        i += "EXPLAIN".length();
        List<ExplainDetail> details = new ArrayList<ExplainDetail>();
        while (true) {
            int wordStart = SqlKind.skipBlanks(text, i);
            int end = wordStart;
            while (end < text.length() && (Character.isLetter(text.charAt(end)) || text.charAt(end) == '_')) {
                end++;
            }
            String word = text.substring(wordStart, end).toUpperCase(Locale.ROOT);
            if (word.equals("ESTIMATED_COST") || word.equals("CHANGELOG_MODE")) {
                details.add(ExplainDetail.valueOf(word));
            } else if (word.equals("JSON_EXECUTION_PLAN") || word.equals("PLAN_ADVICE")) {
                throw new PlannerError(400, "EXPLAIN " + word + " needs a later Flink; Flink 1.12 explains with "
                    + "ESTIMATED_COST and CHANGELOG_MODE", 1 + count(text, wordStart), column(text, wordStart), null);
            } else {
                return details.isEmpty() ? null : new ExplainDetails(details, wordStart);
            }
            i = SqlKind.skipBlanks(text, end);
            if (i < text.length() && text.charAt(i) == ',') {
                i++;
            }
        }
    }

    /** A position Flink reports within the explained statement, as a position in the EXPLAIN. */
    PlannerError relocate(PlannerError error, String text) {
        if (!error.hasPosition()) {
            return error;
        }
        int line = error.line() + count(text, start);
        int column = error.line() == 1 ? error.column() + column(text, start) - 1 : error.column();
        return new PlannerError(error.status(), error.getMessage(), line, column, error.getCause());
    }

    /** Newlines before an index. */
    private static int count(String text, int index) {
        int n = 0;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    /** 1-based column of an index. */
    private static int column(String text, int index) {
        return index - text.lastIndexOf('\n', index - 1);
    }
}
