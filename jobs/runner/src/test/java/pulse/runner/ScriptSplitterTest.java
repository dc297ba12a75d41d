package pulse.runner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import org.junit.Test;

public class ScriptSplitterTest {
    @Test
    public void splitsOnSemicolonsAndKeepsLineNumbers() {
        List<Statement> s = ScriptSplitter.split("SET a = 1;\n\nCREATE TABLE t (x INT);\n  INSERT INTO t SELECT 1;");
        assertEquals(3, s.size());
        assertEquals("SET a = 1", s.get(0).text());
        assertEquals(1, s.get(0).line());
        assertEquals(3, s.get(1).line());
        assertEquals(4, s.get(2).line());
        assertEquals(3, s.get(2).column());
        assertEquals("INSERT", s.get(2).keyword());
    }

    @Test
    public void semicolonsInsideStringsIdentifiersAndCommentsDoNotSplit() {
        String script = "-- header; not a statement\n"
            + "/* block; comment\n spanning lines; */\n"
            + "SELECT 'a;b', 'it''s;', \"we;ird\", `x;y` FROM t -- trailing; comment\n"
            + ";\nINSERT INTO s SELECT 1";
        List<Statement> s = ScriptSplitter.split(script);
        assertEquals(2, s.size());
        assertEquals(4, s.get(0).line());
        assertTrue(s.get(0).text().contains("'it''s;'"));
        assertTrue(s.get(0).text().contains("`x;y`"));
        assertEquals(6, s.get(1).line());
        assertEquals("INSERT INTO s SELECT 1", s.get(1).text());
    }

    @Test
    public void commentOnlySegmentsAreDroppedAndHintsKept() {
        List<Statement> s = ScriptSplitter.split("-- only a comment\n;\n/* another */ ;\n"
            + "INSERT INTO s SELECT * FROM t /*+ OPTIONS('k'='v;w') */;");
        assertEquals(1, s.size());
        assertEquals(1, s.get(0).number());
        assertTrue(s.get(0).text().endsWith("/*+ OPTIONS('k'='v;w') */"));
    }

    @Test
    public void unterminatedStringIsAnErrorWithPosition() {
        try {
            ScriptSplitter.split("SET a = 1;\nSELECT 'oops FROM t;");
            fail("expected an error");
        } catch (RunnerException e) {
            assertEquals(2, e.statement());
            assertEquals(2, e.line());
            assertTrue(e.getMessage().contains("unterminated string literal"));
        }
    }

    @Test
    public void statementRelativePositionsMapToTheFile() {
        Statement stmt = new Statement(4, "CREATE TABLE x (\n a INT,\n b BOGUS)", 10, 3);
        RunnerException e = RunnerException.forStatement(stmt,
            new RuntimeException("SQL parse failed. Encountered \"BOGUS\" at line 3, column 4."));
        assertEquals(4, e.statement());
        assertEquals(12, e.line());
        assertEquals(4, e.column());
        assertTrue(e.getMessage().contains("SQLRUNNER_ERROR {\"statement\":4,\"line\":12,\"column\":4,"));
    }

    @Test
    public void setAcceptsQuotedAndBareForms() {
        SetCommand a = SetCommand.parse("SET 'table.exec.state.ttl' = '1 h'");
        assertEquals("table.exec.state.ttl", a.key);
        assertEquals("1 h", a.value);
        SetCommand b = SetCommand.parse("set parallelism.default=2");
        assertEquals("parallelism.default", b.key);
        assertEquals("2", b.value);
        assertEquals(null, SetCommand.parse("SET nothing"));
    }
}
