package pulse.runner.planner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

import pulse.runner.SetCommand;

/** Reading a statement without the planner: its kind, SET/RESET, and 1.12's spellings. */
public class StatementTextTest {
    @Test
    public void setTakesPlainAndFlink118QuotedForms() {
        SetCommand plain = SetCommand.parse("SET parallelism.default = 2");
        assertEquals("parallelism.default", plain.key);
        assertEquals("2", plain.value);
        SetCommand quoted = SetCommand.parse("set 'table.local-time-zone'='Asia/Shanghai'");
        assertEquals("table.local-time-zone", quoted.key);
        assertEquals("Asia/Shanghai", quoted.value);
        SetCommand escaped = SetCommand.parse("SET 'pipeline.name' = 'it''s mine'");
        assertEquals("it's mine", escaped.value);
        assertNull(SetCommand.parse("SET"));
        assertNull(SetCommand.parse("SET parallelism.default"));
    }

    @Test
    public void resetTakesOneKeyQuotedOrNotOrNone() {
        assertEquals("parallelism.default", SetCommand.parseReset("RESET 'parallelism.default'"));
        assertEquals("parallelism.default", SetCommand.parseReset("reset parallelism.default "));
        assertEquals("", SetCommand.parseReset("RESET"));
        assertNull(SetCommand.parseReset("RESET a b"));
        assertNull(SetCommand.parseReset("RESETS"));
    }

    @Test
    public void kindsSkipCommentsAndParentheses() {
        assertEquals(SqlKind.QUERY, SqlKind.of("-- why\n/* how */ SELECT 1"));
        assertEquals(SqlKind.QUERY, SqlKind.of("(SELECT 1) UNION (SELECT 2)"));
        assertEquals(SqlKind.QUERY, SqlKind.of("values (1)"));
        assertEquals(SqlKind.QUERY, SqlKind.of("WITH x AS (SELECT 1) SELECT * FROM x"));
        assertEquals(SqlKind.INSERT, SqlKind.of("insert into t select 1"));
        assertEquals(SqlKind.DESCRIBE, SqlKind.of("DESC t"));
        assertEquals(SqlKind.SHOW, SqlKind.of("SHOW CURRENT DATABASE"));
        assertEquals(SqlKind.DDL, SqlKind.of("CREATE TEMPORARY VIEW v AS SELECT 1"));
        assertTrue(SqlKind.DDL.changesState());
        assertTrue(SqlKind.USE.changesState());
        assertFalse(SqlKind.SHOW.changesState());
        assertFalse(SqlKind.QUERY.changesState());
    }

    @Test
    public void flink118SpellingsBecome112Ones() {
        assertEquals("EXPLAIN PLAN FOR SELECT 1", Rewrite.forFlink112("EXPLAIN SELECT 1").text);
        assertEquals("explain PLAN FOR select 1", Rewrite.forFlink112("explain select 1").text);
        assertEquals("EXPLAIN PLAN FOR SELECT 1", Rewrite.forFlink112("EXPLAIN PLAN FOR SELECT 1").text);
        assertEquals("DESCRIBE t", Rewrite.forFlink112("DESC t").text);
        assertEquals("DESCRIBE t", Rewrite.forFlink112("DESCRIBE t").text);
    }

    @Test
    public void positionsPastTheInsertedWordsMoveBack() {
        Rewrite r = Rewrite.forFlink112("\n  EXPLAIN SELECT nope FROM t");
        PlannerError moved = r.original(new PlannerError(400, "m", 2, 27, null));
        assertEquals(2, moved.line());
        assertEquals(18, moved.column());
        assertEquals(3, r.original(new PlannerError(400, "m", 3, 27, null)).line());
        assertEquals(27, r.original(new PlannerError(400, "m", 3, 27, null)).column());
    }

    @Test
    public void explainDetailsAreReadAndTheExplainedStatementsPositionsMapBack() {
        assertNull(ExplainDetails.parse("EXPLAIN SELECT 1"));
        ExplainDetails d = ExplainDetails.parse("EXPLAIN CHANGELOG_MODE, estimated_cost\n  SELECT x");
        assertEquals(2, d.details.size());
        assertEquals("SELECT x", "EXPLAIN CHANGELOG_MODE, estimated_cost\n  SELECT x".substring(d.start));
        PlannerError moved = d.relocate(new PlannerError(400, "m", 1, 8, null),
            "EXPLAIN CHANGELOG_MODE, estimated_cost\n  SELECT x");
        assertEquals(2, moved.line());
        assertEquals(10, moved.column());
    }

    @Test
    public void oneStatementLosesItsSemicolonButKeepsWhereItStarts() {
        assertEquals("\n  SHOW TABLES", Session.trimStatement("\n  SHOW TABLES ;; \n"));
    }
}
