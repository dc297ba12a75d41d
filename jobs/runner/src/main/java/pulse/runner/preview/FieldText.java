package pulse.runner.preview;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;

import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.MultisetType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimeType;
import org.apache.flink.table.types.logical.TimestampType;

/**
 * One field as Flink 1.18's SQL client prints it (the gateway's PLAIN_TEXT rows): its
 * RowDataToStringConverterImpl casts every field to STRING with the printing cast rules and no
 * legacy behaviour. A null field has no text (the gateway writes JSON null); nulls nested in a
 * row, array or map print as NULL.
 */
public final class FieldText {
    private FieldText() {}

    /** The printed text of an internal value, or null for a null field. */
    public static String of(LogicalType type, Object value, ZoneId zone) {
        if (value == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        append(sb, type, value, zone);
        return sb.toString();
    }

    private static void append(StringBuilder sb, LogicalType type, Object value, ZoneId zone) {
        if (value == null) {
            sb.append("NULL");
            return;
        }
        switch (type.getTypeRoot()) {
            case BOOLEAN:
                sb.append(((Boolean) value) ? "TRUE" : "FALSE");
                break;
            case BINARY:
            case VARBINARY:
                sb.append("x'").append(hex((byte[]) value)).append('\'');
                break;
            case DATE:
                sb.append(LocalDate.ofEpochDay((Integer) value));
                break;
            case TIME_WITHOUT_TIME_ZONE:
                sb.append(time((Integer) value, ((TimeType) type).getPrecision()));
                break;
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                sb.append(timestamp(((TimestampData) value).toLocalDateTime(), ((TimestampType) type).getPrecision()));
                break;
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                sb.append(timestamp(
                    LocalDateTime.ofInstant(((TimestampData) value).toInstant(), zone),
                    ((LocalZonedTimestampType) type).getPrecision()));
                break;
            case INTERVAL_YEAR_MONTH:
                sb.append(yearMonth((Integer) value));
                break;
            case INTERVAL_DAY_TIME:
                sb.append(dayTime((Long) value));
                break;
            case ARRAY:
                array(sb, ((ArrayType) type).getElementType(), (ArrayData) value, zone);
                break;
            case MAP:
                map(sb, ((MapType) type).getKeyType(), ((MapType) type).getValueType(), (MapData) value, zone);
                break;
            case MULTISET:
                map(sb, ((MultisetType) type).getElementType(), new IntType(false), (MapData) value, zone);
                break;
            case ROW:
                row(sb, (RowType) type, (RowData) value, zone);
                break;
            default:
                // CHAR/VARCHAR (StringData), numbers, DECIMAL (plain notation): their own toString.
                sb.append(value);
        }
    }

    private static void array(StringBuilder sb, LogicalType elementType, ArrayData array, ZoneId zone) {
        ArrayData.ElementGetter getter = ArrayData.createElementGetter(elementType);
        sb.append('[');
        for (int i = 0; i < array.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            append(sb, elementType, getter.getElementOrNull(array, i), zone);
        }
        sb.append(']');
    }

    private static void map(StringBuilder sb, LogicalType keyType, LogicalType valueType, MapData map, ZoneId zone) {
        ArrayData.ElementGetter keyGetter = ArrayData.createElementGetter(keyType);
        ArrayData.ElementGetter valueGetter = ArrayData.createElementGetter(valueType);
        sb.append('{');
        for (int i = 0; i < map.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            append(sb, keyType, keyGetter.getElementOrNull(map.keyArray(), i), zone);
            sb.append('=');
            append(sb, valueType, valueGetter.getElementOrNull(map.valueArray(), i), zone);
        }
        sb.append('}');
    }

    private static void row(StringBuilder sb, RowType type, RowData row, ZoneId zone) {
        sb.append('(');
        for (int i = 0; i < type.getFieldCount(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            LogicalType fieldType = type.getTypeAt(i);
            append(sb, fieldType, RowData.createFieldGetter(fieldType, i).getFieldOrNull(row), zone);
        }
        sb.append(')');
    }

    /** yyyy-MM-dd HH:mm:ss with exactly {@code precision} fraction digits. */
    static String timestamp(LocalDateTime t, int precision) {
        StringBuilder sb = new StringBuilder();
        sb.append(t.toLocalDate()).append(' ');
        pad(sb, t.getHour(), 2).append(':');
        pad(sb, t.getMinute(), 2).append(':');
        pad(sb, t.getSecond(), 2);
        if (precision > 0) {
            StringBuilder nanos = new StringBuilder();
            pad(nanos, t.getNano(), 9);
            sb.append('.').append(nanos, 0, Math.min(precision, 9));
        }
        return sb.toString();
    }

    /**
     * HH:mm:ss for milliseconds of the day; with a precision, the milliseconds' digits up to the
     * last non-zero one (at least one, at most the precision), as Flink's unixTimeToString does.
     */
    static String time(int millisOfDay, int precision) {
        StringBuilder sb = new StringBuilder();
        int seconds = millisOfDay / 1000;
        pad(sb, seconds / 3600, 2).append(':');
        pad(sb, seconds / 60 % 60, 2).append(':');
        pad(sb, seconds % 60, 2);
        if (precision > 0) {
            sb.append('.');
            int ms = millisOfDay % 1000;
            for (int left = Math.min(precision, 3); left > 0; left--) {
                sb.append((char) ('0' + ms / 100));
                ms = ms % 100 * 10;
                if (ms == 0) {
                    break;
                }
            }
        }
        return sb.toString();
    }

    /** +Y-MM, as INTERVAL YEAR TO MONTH prints. */
    static String yearMonth(int months) {
        StringBuilder sb = new StringBuilder(months < 0 ? "-" : "+");
        int abs = Math.abs(months);
        sb.append(abs / 12).append('-');
        return pad(sb, abs % 12, 2).toString();
    }

    /** +D HH:mm:ss.SSS, as INTERVAL DAY TO SECOND(3) prints. */
    static String dayTime(long millis) {
        StringBuilder sb = new StringBuilder(millis < 0 ? "-" : "+");
        long abs = Math.abs(millis);
        sb.append(abs / 86_400_000L).append(' ');
        pad(sb, abs / 3_600_000L % 24, 2).append(':');
        pad(sb, abs / 60_000L % 60, 2).append(':');
        pad(sb, abs / 1000L % 60, 2).append('.');
        return pad(sb, abs % 1000L, 3).toString();
    }

    private static StringBuilder pad(StringBuilder sb, long value, int width) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(digits);
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }
}
