package pulse.runner.planner;

import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BinaryType;
import org.apache.flink.table.types.logical.CharType;
import org.apache.flink.table.types.logical.DayTimeIntervalType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.MultisetType;
import org.apache.flink.table.types.logical.RawType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimeType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.table.types.logical.YearMonthIntervalType;
import org.apache.flink.table.types.logical.ZonedTimestampType;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A logical type as JSON, field for field what Flink 1.18's SQL gateway writes
 * (LogicalTypeJsonSerializer): the official clients rebuild the column types from it.
 */
public final class LogicalTypeJson {
    private LogicalTypeJson() {}

    /** The JSON of a type: {"type": root, "nullable": ..., and the root's own fields}. */
    public static ObjectNode of(LogicalType type) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("type", type.getTypeRoot().name());
        switch (type.getTypeRoot()) {
            case NULL:
                return node;
            case BOOLEAN:
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
            case FLOAT:
            case DOUBLE:
            case DATE:
                node.put("nullable", type.isNullable());
                return node;
            default:
                break;
        }
        node.put("nullable", type.isNullable());
        switch (type.getTypeRoot()) {
            case CHAR:
                node.put("length", ((CharType) type).getLength());
                break;
            case VARCHAR:
                node.put("length", ((VarCharType) type).getLength());
                break;
            case BINARY:
                node.put("length", ((BinaryType) type).getLength());
                break;
            case VARBINARY:
                node.put("length", ((VarBinaryType) type).getLength());
                break;
            case DECIMAL:
                node.put("precision", ((DecimalType) type).getPrecision());
                node.put("scale", ((DecimalType) type).getScale());
                break;
            case TIME_WITHOUT_TIME_ZONE:
                node.put("precision", ((TimeType) type).getPrecision());
                break;
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                node.put("precision", ((TimestampType) type).getPrecision());
                break;
            case TIMESTAMP_WITH_TIME_ZONE:
                node.put("precision", ((ZonedTimestampType) type).getPrecision());
                break;
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                node.put("precision", ((LocalZonedTimestampType) type).getPrecision());
                break;
            case MAP:
                node.set("keyType", of(((MapType) type).getKeyType()));
                node.set("valueType", of(((MapType) type).getValueType()));
                break;
            case ARRAY:
                node.set("elementType", of(((ArrayType) type).getElementType()));
                break;
            case MULTISET:
                node.set("elementType", of(((MultisetType) type).getElementType()));
                break;
            case ROW:
                ArrayNode fields = node.putArray("fields");
                for (RowType.RowField field : ((RowType) type).getFields()) {
                    ObjectNode f = fields.addObject();
                    f.put("name", field.getName());
                    f.set("fieldType", of(field.getType()));
                    if (field.getDescription().isPresent()) {
                        f.put("description", field.getDescription().get());
                    }
                }
                break;
            case INTERVAL_YEAR_MONTH:
                node.put("precision", ((YearMonthIntervalType) type).getYearPrecision());
                node.put("resolution", ((YearMonthIntervalType) type).getResolution().toString());
                break;
            case INTERVAL_DAY_TIME:
                node.put("precision", ((DayTimeIntervalType) type).getDayPrecision());
                node.put("fractionalPrecision", ((DayTimeIntervalType) type).getFractionalPrecision());
                node.put("resolution", ((DayTimeIntervalType) type).getResolution().toString());
                break;
            case RAW:
                if (type instanceof RawType) {
                    node.put("class", ((RawType<?>) type).getOriginatingClass().getName());
                    node.put("serializer", ((RawType<?>) type).getSerializerString());
                    break;
                }
                throw unsupported(type);
            default:
                throw unsupported(type);
        }
        return node;
    }

    private static UnsupportedOperationException unsupported(LogicalType type) {
        return new UnsupportedOperationException(String.format(
            "Unable to serialize logical type '%s'. Please check the documentation for supported types.",
            type.asSummaryString()));
    }
}
