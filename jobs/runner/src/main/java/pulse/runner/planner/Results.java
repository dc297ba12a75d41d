package pulse.runner.planner;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.TableSchema;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import pulse.runner.preview.PreviewRow;

/** The planner's answers: {"resultType", "resultKind", "columns", "rows"} and the Column JSON. */
final class Results {
    private Results() {}

    static final LogicalType STRING = new VarCharType(true, VarCharType.MAX_LENGTH);

    /** What a statement that only changes the session answers, as Flink's gateway does. */
    static ObjectNode ok() {
        List<Object[]> rows = new ArrayList<Object[]>();
        rows.add(new Object[] {"OK"});
        return table("SUCCESS", Collections.singletonList("result"), Collections.singletonList(STRING), rows);
    }

    /** The key/value table of a bare SET. */
    static ObjectNode properties(Map<String, String> properties) {
        List<Object[]> rows = new ArrayList<Object[]>();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            rows.add(new Object[] {e.getKey(), e.getValue()});
        }
        List<String> names = new ArrayList<String>();
        names.add("key");
        names.add("value");
        List<LogicalType> types = new ArrayList<LogicalType>();
        types.add(STRING);
        types.add(STRING);
        return table("SUCCESS_WITH_CONTENT", names, types, rows);
    }

    /** A TableResult of executeSql (SHOW, DESCRIBE, EXPLAIN ...), read to the end. */
    static ObjectNode of(TableResult result) throws Exception {
        TableSchema schema = result.getTableSchema();
        List<String> names = new ArrayList<String>();
        List<LogicalType> types = new ArrayList<LogicalType>();
        for (int i = 0; i < schema.getFieldCount(); i++) {
            names.add(schema.getFieldNames()[i]);
            types.add(simple(schema.getFieldDataTypes()[i].getLogicalType()));
        }
        List<Object[]> rows = new ArrayList<Object[]>();
        try (CloseableIterator<Row> it = result.collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                Object[] values = new Object[row.getArity()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = row.getField(i);
                }
                rows.add(values);
            }
        }
        String kind = result.getResultKind().name();
        return table(kind, names, types, rows);
    }

    /** Catalog answers hold strings, booleans and numbers; anything else is shown as its text. */
    private static LogicalType simple(LogicalType type) {
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
            case BOOLEAN:
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
            case FLOAT:
            case DOUBLE:
                return type;
            default:
                return STRING;
        }
    }

    static ObjectNode table(String kind, List<String> names, List<LogicalType> types, List<Object[]> rows) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("resultType", "TABLE");
        node.put("resultKind", kind);
        node.set("columns", columns(names, types));
        ArrayNode out = node.putArray("rows");
        for (Object[] values : rows) {
            GenericRowData row = new GenericRowData(values.length);
            for (int i = 0; i < values.length; i++) {
                row.setField(i, internal(types.get(i), values[i]));
            }
            out.add(PreviewRow.of(row, types, ZoneId.of("UTC")));
        }
        return node;
    }

    private static Object internal(LogicalType type, Object value) {
        if (value == null) {
            return null;
        }
        if (type.getTypeRoot() == LogicalTypeRoot.CHAR || type.getTypeRoot() == LogicalTypeRoot.VARCHAR) {
            return StringData.fromString(String.valueOf(value));
        }
        return value;
    }

    static ArrayNode columns(List<String> names, List<LogicalType> types) {
        ArrayNode columns = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < names.size(); i++) {
            ObjectNode column = columns.addObject();
            column.put("name", names.get(i));
            column.set("logicalType", LogicalTypeJson.of(types.get(i)));
            column.putNull("comment");
        }
        return columns;
    }

    static ArrayNode columns(TableSchema schema) {
        List<String> names = new ArrayList<String>();
        List<LogicalType> types = new ArrayList<LogicalType>();
        for (int i = 0; i < schema.getFieldCount(); i++) {
            DataType type = schema.getFieldDataTypes()[i];
            names.add(schema.getFieldNames()[i]);
            types.add(type.getLogicalType());
        }
        return columns(names, types);
    }
}
