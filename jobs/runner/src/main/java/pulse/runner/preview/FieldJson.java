package pulse.runner.preview;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.MultisetType;
import org.apache.flink.table.types.logical.RowType;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One field in the JSON row format of Flink 1.18's SQL gateway: what its ResultInfoSerializer
 * writes through flink-json's RowDataToJsonConverters with ISO-8601 timestamps, a null map key
 * written as "null", and decimals as JSON numbers.
 */
public final class FieldJson {
    private FieldJson() {}

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** flink-json's SQL_TIME_FORMAT (HH:mm:ss, fraction only when present). */
    static final DateTimeFormatter SQL_TIME = new DateTimeFormatterBuilder()
        .appendPattern("HH:mm:ss")
        .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
        .toFormatter();
    /** flink-json's ISO8601_TIMESTAMP_FORMAT: date 'T' ISO local time. */
    static final DateTimeFormatter ISO_TIMESTAMP = new DateTimeFormatterBuilder()
        .append(DateTimeFormatter.ISO_LOCAL_DATE)
        .appendLiteral('T')
        .append(DateTimeFormatter.ISO_LOCAL_TIME)
        .toFormatter();
    /** The same with a trailing 'Z', for TIMESTAMP_LTZ values written in UTC. */
    static final DateTimeFormatter ISO_TIMESTAMP_UTC = new DateTimeFormatterBuilder()
        .append(DateTimeFormatter.ISO_LOCAL_DATE)
        .appendLiteral('T')
        .append(DateTimeFormatter.ISO_LOCAL_TIME)
        .appendLiteral('Z')
        .toFormatter();

    /** The JSON for an internal value (StringData, TimestampData, ...) of the given type. */
    public static JsonNode of(LogicalType type, Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        switch (type.getTypeRoot()) {
            case NULL:
                return NODES.nullNode();
            case BOOLEAN:
                return NODES.booleanNode((Boolean) value);
            case TINYINT:
                return NODES.numberNode((Byte) value);
            case SMALLINT:
                return NODES.numberNode((Short) value);
            case INTEGER:
            case INTERVAL_YEAR_MONTH:
                return NODES.numberNode((Integer) value);
            case BIGINT:
            case INTERVAL_DAY_TIME:
                return NODES.numberNode((Long) value);
            case FLOAT:
                return NODES.numberNode((Float) value);
            case DOUBLE:
                return NODES.numberNode((Double) value);
            case CHAR:
            case VARCHAR:
                return NODES.textNode(value.toString());
            case BINARY:
            case VARBINARY:
                return NODES.binaryNode((byte[]) value);
            case DATE:
                return NODES.textNode(LocalDate.ofEpochDay((Integer) value).format(DateTimeFormatter.ISO_LOCAL_DATE));
            case TIME_WITHOUT_TIME_ZONE:
                return NODES.textNode(SQL_TIME.format(LocalTime.ofSecondOfDay(((Integer) value) / 1000L)));
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return NODES.textNode(ISO_TIMESTAMP.format(((TimestampData) value).toLocalDateTime()));
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return NODES.textNode(ISO_TIMESTAMP_UTC.format(
                    ((TimestampData) value).toInstant().atOffset(ZoneOffset.UTC)));
            case DECIMAL:
                return NODES.numberNode(((DecimalData) value).toBigDecimal());
            case ARRAY:
                return array(((ArrayType) type).getElementType(), (ArrayData) value);
            case MAP:
                return map(((MapType) type).getKeyType(), ((MapType) type).getValueType(), (MapData) value);
            case MULTISET:
                return map(((MultisetType) type).getElementType(), new org.apache.flink.table.types.logical.IntType(),
                    (MapData) value);
            case ROW:
                return row((RowType) type, (RowData) value);
            default:
                throw new UnsupportedOperationException("Not support to parse type: " + type);
        }
    }

    private static ArrayNode array(LogicalType elementType, ArrayData array) {
        ArrayData.ElementGetter getter = ArrayData.createElementGetter(elementType);
        ArrayNode node = NODES.arrayNode();
        for (int i = 0; i < array.size(); i++) {
            node.add(of(elementType, getter.getElementOrNull(array, i)));
        }
        return node;
    }

    private static ObjectNode map(LogicalType keyType, LogicalType valueType, MapData map) {
        if (!keyType.getTypeRoot().name().endsWith("CHAR")) {
            throw new UnsupportedOperationException(
                "JSON format doesn't support non-string as key type of map. The type is: " + keyType.asSummaryString());
        }
        ArrayData keys = map.keyArray();
        ArrayData values = map.valueArray();
        ArrayData.ElementGetter valueGetter = ArrayData.createElementGetter(valueType);
        ObjectNode node = NODES.objectNode();
        for (int i = 0; i < map.size(); i++) {
            String key = keys.isNullAt(i) ? "null" : keys.getString(i).toString();
            node.set(key, of(valueType, valueGetter.getElementOrNull(values, i)));
        }
        return node;
    }

    private static ObjectNode row(RowType type, RowData row) {
        ObjectNode node = NODES.objectNode();
        for (int i = 0; i < type.getFieldCount(); i++) {
            LogicalType fieldType = type.getTypeAt(i);
            node.set(type.getFieldNames().get(i), of(fieldType, RowData.createFieldGetter(fieldType, i).getFieldOrNull(row)));
        }
        return node;
    }
}
