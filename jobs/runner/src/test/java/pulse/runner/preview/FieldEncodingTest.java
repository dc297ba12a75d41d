package pulse.runner.preview;

import static org.junit.Assert.assertEquals;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.types.RowKind;
import org.junit.Test;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Each field's JSON and text against what Flink 1.18.1 itself writes for the same value: the
 * expected strings were produced by running 1.18.1's RowDataToJsonConverters (ISO-8601, null map
 * key "null", as its SQL gateway's ResultInfoSerializer configures them) and its
 * RowDataToStringConverterImpl (the gateway's PLAIN_TEXT) over these values.
 */
public class FieldEncodingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ZoneId UTC = ZoneId.of("UTC");

    private static void check(DataType type, Object value, String json, String text) throws Exception {
        LogicalType logical = type.getLogicalType();
        assertEquals("JSON of " + logical, json, JSON.writeValueAsString(FieldJson.of(logical, value)));
        assertEquals("text of " + logical, text, FieldText.of(logical, value, UTC));
    }

    private static int millisOfDay(int h, int m, int s, int ms) {
        return ((h * 60 + m) * 60 + s) * 1000 + ms;
    }

    @Test
    public void numbersAndBooleans() throws Exception {
        check(DataTypes.BOOLEAN(), true, "true", "TRUE");
        check(DataTypes.TINYINT(), (byte) -3, "-3", "-3");
        check(DataTypes.BIGINT(), 9007199254740993L, "9007199254740993", "9007199254740993");
        check(DataTypes.FLOAT(), 1.5f, "1.5", "1.5");
        check(DataTypes.DOUBLE(), 1.0E10, "1.0E10", "1.0E10");
        check(DataTypes.DOUBLE(), 0.1, "0.1", "0.1");
    }

    @Test
    public void decimalsAreJsonNumbersWithoutTrailingZerosAndPlainText() throws Exception {
        check(DataTypes.DECIMAL(10, 2), DecimalData.fromBigDecimal(new BigDecimal("1.50"), 10, 2), "1.5", "1.50");
        check(DataTypes.DECIMAL(10, 0), DecimalData.fromBigDecimal(new BigDecimal("100"), 10, 0), "1E+2", "100");
        check(DataTypes.DECIMAL(5, 3), DecimalData.fromBigDecimal(new BigDecimal("0.000"), 5, 3), "0", "0.000");
    }

    @Test
    public void strings() throws Exception {
        check(DataTypes.STRING(), StringData.fromString("h\u00e9llo \"x\""), "\"h\u00e9llo \\\"x\\\"\"", "h\u00e9llo \"x\"");
        check(DataTypes.CHAR(3), StringData.fromString("ab "), "\"ab \"", "ab ");
        check(DataTypes.BYTES(), new byte[] {10, 11, (byte) 255}, "\"Cgv/\"", "x'0a0bff'");
    }

    @Test
    public void datesTimesAndTimestamps() throws Exception {
        check(DataTypes.DATE(), (int) LocalDate.of(2024, 2, 3).toEpochDay(), "\"2024-02-03\"", "2024-02-03");
        check(DataTypes.TIME(0), millisOfDay(3, 4, 5, 0), "\"03:04:05\"", "03:04:05");
        check(DataTypes.TIME(3), millisOfDay(3, 4, 5, 60), "\"03:04:05\"", "03:04:05.06");
        check(DataTypes.TIMESTAMP(3), ts(2024, 1, 2, 3, 4, 5, 678000000),
            "\"2024-01-02T03:04:05.678\"", "2024-01-02 03:04:05.678");
        check(DataTypes.TIMESTAMP(3), ts(2024, 1, 2, 3, 4, 0, 0), "\"2024-01-02T03:04:00\"", "2024-01-02 03:04:00.000");
        check(DataTypes.TIMESTAMP(6), ts(2024, 1, 2, 3, 4, 5, 123456000),
            "\"2024-01-02T03:04:05.123456\"", "2024-01-02 03:04:05.123456");
        check(DataTypes.TIMESTAMP(0), ts(2024, 1, 2, 3, 4, 5, 0), "\"2024-01-02T03:04:05\"", "2024-01-02 03:04:05");
        check(DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(3),
            TimestampData.fromInstant(Instant.parse("2024-01-02T03:04:05.678Z")),
            "\"2024-01-02T03:04:05.678Z\"", "2024-01-02 03:04:05.678");
    }

    @Test
    public void intervals() throws Exception {
        check(DataTypes.INTERVAL(DataTypes.YEAR(), DataTypes.MONTH()), 14, "14", "+1-02");
        check(DataTypes.INTERVAL(DataTypes.YEAR(), DataTypes.MONTH()), -14, "-14", "-1-02");
        check(DataTypes.INTERVAL(DataTypes.DAY(), DataTypes.SECOND(3)), 93784005L, "93784005", "+1 02:03:04.005");
        check(DataTypes.INTERVAL(DataTypes.DAY(), DataTypes.SECOND(3)), -93784005L, "-93784005", "-1 02:03:04.005");
    }

    @Test
    public void arraysMapsAndRowsWithNullsInside() throws Exception {
        check(DataTypes.ARRAY(DataTypes.INT()), new GenericArrayData(new Object[] {1, null, 3}), "[1,null,3]", "[1, NULL, 3]");
        check(DataTypes.ARRAY(DataTypes.STRING()),
            new GenericArrayData(new Object[] {StringData.fromString("a"), StringData.fromString("b c")}),
            "[\"a\",\"b c\"]", "[a, b c]");
        Map<Object, Object> map = new LinkedHashMap<Object, Object>();
        map.put(StringData.fromString("k"), 1);
        map.put(null, 2);
        map.put(StringData.fromString("z"), null);
        check(DataTypes.MAP(DataTypes.STRING(), DataTypes.INT()), new GenericMapData(map),
            "{\"k\":1,\"null\":2,\"z\":null}", "{k=1, NULL=2, z=NULL}");
        check(DataTypes.ROW(DataTypes.FIELD("a", DataTypes.INT()), DataTypes.FIELD("b", DataTypes.STRING()),
                DataTypes.FIELD("c", DataTypes.BOOLEAN())),
            GenericRowData.of(1, StringData.fromString("x y"), null),
            "{\"a\":1,\"b\":\"x y\",\"c\":null}", "(1, x y, NULL)");
    }

    @Test
    public void aNullFieldIsJsonNullInBoth() throws Exception {
        check(DataTypes.STRING(), null, "null", null);
    }

    @Test
    public void aChangelogRowIsOneRecordWithItsKindFieldsAndText() throws Exception {
        PreviewJsonSerializationSchema schema = new PreviewJsonSerializationSchema(Arrays.asList(
            DataTypes.STRING().getLogicalType(), DataTypes.BIGINT().getLogicalType(),
            DataTypes.TIMESTAMP(3).getLogicalType()), "UTC");
        GenericRowData row = GenericRowData.ofKind(RowKind.UPDATE_BEFORE, StringData.fromString("/a"), 2L, null);
        assertEquals("{\"kind\":\"UPDATE_BEFORE\",\"fields\":[\"/a\",2,null],\"text\":[\"/a\",\"2\",null]}",
            new String(schema.serialize(row), "UTF-8"));
    }

    @Test
    public void theFormatTakesEveryChangelogKind() {
        assertEquals(4, PreviewJsonFormatFactory.ALL.getContainedKinds().size());
    }

    private static TimestampData ts(int y, int mo, int d, int h, int mi, int s, int nanos) {
        return TimestampData.fromLocalDateTime(LocalDateTime.of(y, mo, d, h, mi, s, nanos));
    }
}
