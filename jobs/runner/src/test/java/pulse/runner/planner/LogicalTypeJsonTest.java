package pulse.runner.planner;

import static org.junit.Assert.assertEquals;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.NullType;
import org.apache.flink.table.types.logical.TimestampKind;
import org.apache.flink.table.types.logical.TimestampType;
import org.junit.Test;

/**
 * Column types as JSON against what Flink 1.18.1's SQL gateway writes for the same types: the
 * expected strings come from running its LogicalTypeJsonSerializer (the official clients parse
 * them).
 */
public class LogicalTypeJsonTest {
    private static void check(LogicalType type, String json) {
        assertEquals(type.asSummaryString(), json, LogicalTypeJson.of(type).toString());
    }

    private static void check(DataType type, String json) {
        check(type.getLogicalType(), json);
    }

    @Test
    public void scalars() {
        check(DataTypes.STRING(), "{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647}");
        check(DataTypes.BIGINT().notNull(), "{\"type\":\"BIGINT\",\"nullable\":false}");
        check(DataTypes.DECIMAL(10, 2), "{\"type\":\"DECIMAL\",\"nullable\":true,\"precision\":10,\"scale\":2}");
        check(DataTypes.CHAR(1).notNull(), "{\"type\":\"CHAR\",\"nullable\":false,\"length\":1}");
        check(DataTypes.BYTES(), "{\"type\":\"VARBINARY\",\"nullable\":true,\"length\":2147483647}");
        check(DataTypes.BOOLEAN(), "{\"type\":\"BOOLEAN\",\"nullable\":true}");
        check(DataTypes.DATE(), "{\"type\":\"DATE\",\"nullable\":true}");
        check(new NullType(), "{\"type\":\"NULL\"}");
    }

    @Test
    public void timesWithTheirPrecisionAndTimeAttributesAsPlainTimestamps() {
        check(DataTypes.TIMESTAMP(3), "{\"type\":\"TIMESTAMP_WITHOUT_TIME_ZONE\",\"nullable\":true,\"precision\":3}");
        check(new TimestampType(true, TimestampKind.ROWTIME, 3),
            "{\"type\":\"TIMESTAMP_WITHOUT_TIME_ZONE\",\"nullable\":true,\"precision\":3}");
        check(DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(3),
            "{\"type\":\"TIMESTAMP_WITH_LOCAL_TIME_ZONE\",\"nullable\":true,\"precision\":3}");
        check(DataTypes.TIME(0), "{\"type\":\"TIME_WITHOUT_TIME_ZONE\",\"nullable\":true,\"precision\":0}");
        check(DataTypes.INTERVAL(DataTypes.DAY(), DataTypes.SECOND(3)),
            "{\"type\":\"INTERVAL_DAY_TIME\",\"nullable\":true,\"precision\":2,\"fractionalPrecision\":3,"
                + "\"resolution\":\"DAY_TO_SECOND\"}");
        check(DataTypes.INTERVAL(DataTypes.YEAR(), DataTypes.MONTH()),
            "{\"type\":\"INTERVAL_YEAR_MONTH\",\"nullable\":true,\"precision\":2,\"resolution\":\"YEAR_TO_MONTH\"}");
    }

    @Test
    public void nestedTypes() {
        check(DataTypes.ARRAY(DataTypes.INT().notNull()),
            "{\"type\":\"ARRAY\",\"nullable\":true,\"elementType\":{\"type\":\"INTEGER\",\"nullable\":false}}");
        check(DataTypes.MAP(DataTypes.STRING(), DataTypes.INT()),
            "{\"type\":\"MAP\",\"nullable\":true,\"keyType\":{\"type\":\"VARCHAR\",\"nullable\":true,"
                + "\"length\":2147483647},\"valueType\":{\"type\":\"INTEGER\",\"nullable\":true}}");
        check(DataTypes.ROW(DataTypes.FIELD("a", DataTypes.INT()), DataTypes.FIELD("b", DataTypes.STRING(), "the b")),
            "{\"type\":\"ROW\",\"nullable\":true,\"fields\":[{\"name\":\"a\",\"fieldType\":{\"type\":\"INTEGER\","
                + "\"nullable\":true}},{\"name\":\"b\",\"fieldType\":{\"type\":\"VARCHAR\",\"nullable\":true,"
                + "\"length\":2147483647},\"description\":\"the b\"}]}");
        check(DataTypes.MULTISET(DataTypes.STRING()),
            "{\"type\":\"MULTISET\",\"nullable\":true,\"elementType\":{\"type\":\"VARCHAR\",\"nullable\":true,"
                + "\"length\":2147483647}}");
    }
}
