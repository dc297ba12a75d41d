package pulse.runner.planner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;

import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.TimestampKind;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.Test;

import pulse.runner.RunnerException;

/** Error positions and messages, the session's script log, and the preview sink's column types. */
public class ErrorsAndLogTest {
    @Test
    public void positionIsTheFirstOneFlinkNames() {
        int[] at = RunnerException.position(
            "SQL validation failed. From line 2, column 3 to line 2, column 6: Column 'nope' not found");
        assertEquals(2, at[0]);
        assertEquals(3, at[1]);
        assertNull(RunnerException.position("Sort on a non-time-attribute field is not supported."));
    }

    @Test
    public void flinkErrorsKeepTheirCauseChainAndPosition() {
        Exception root = new IllegalStateException("Encountered \"FORM\" at line 1, column 10.");
        Exception top = new RuntimeException("SQL parse failed.", root);
        PlannerError error = PlannerError.fromFlink(top);
        assertEquals(400, error.status());
        assertEquals("SQL parse failed.\nCaused by: Encountered \"FORM\" at line 1, column 10.", error.getMessage());
        assertEquals(1, error.line());
        assertEquals(10, error.column());
        assertEquals("java.lang.NullPointerException", PlannerError.fromFlink(new NullPointerException()).getMessage());
    }

    @Test
    public void aPositionOneLineDownMovesUpAndOneInThePrefixIsDropped() {
        PlannerError below = new PlannerError(400, "m", 3, 7, null).shiftedUp();
        assertEquals(2, below.line());
        assertEquals(7, below.column());
        assertFalse(new PlannerError(400, "m", 1, 7, null).shiftedUp().hasPosition());
    }

    @Test
    public void theErrorBodyHasLineAndColumnOnlyWhenKnown() {
        assertEquals("{\"error\":{\"message\":\"bad\",\"line\":2,\"column\":5}}",
            PlannerServer.error("bad", new PlannerError(400, "bad", 2, 5, null)).toString());
        assertEquals("{\"error\":{\"message\":\"unknown session x\"}}",
            PlannerServer.error("unknown session x", new PlannerError(404, "unknown session x")).toString());
    }

    @Test
    public void pathSegmentsAreDecodedOneByOne() {
        String[] path = PlannerServer.segments("/sessions/a%2Fb%20c+d/statements/");
        assertEquals(3, path.length);
        assertEquals("a/b c+d", path[1]);
        assertEquals("statements", path[2]);
    }

    @Test
    public void theScriptReplaysTheSessionInOrderEachStatementEnded() {
        SessionLog log = new SessionLog();
        log.add(SessionLog.set("table.local-time-zone", "it's"));
        log.add("CREATE VIEW v AS SELECT 1 -- one");
        log.add("RESET 'table.local-time-zone'");
        assertEquals("SET 'table.local-time-zone' = 'it''s';\n"
                + "CREATE VIEW v AS SELECT 1 -- one\n;\n"
                + "RESET 'table.local-time-zone';\n"
                + "INSERT INTO t SELECT * FROM v;\n",
            log.scriptWith("INSERT INTO t SELECT * FROM v"));
        assertEquals("`a``b`", SessionLog.quoteIdentifier("a`b"));
    }

    @Test
    public void previewSinkColumnsAreNullableAndTimeAttributesPlain() {
        LogicalType rowtime = new TimestampType(false, TimestampKind.ROWTIME, 3);
        LogicalType sink = Session.sinkType(rowtime);
        assertEquals("TIMESTAMP(3)", sink.asSummaryString());
        assertEquals("VARCHAR(5)", Session.sinkType(new VarCharType(false, 5)).asSerializableString());
    }
}
