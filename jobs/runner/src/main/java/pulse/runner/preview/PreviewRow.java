package pulse.runner.preview;

import java.time.ZoneId;
import java.util.List;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

/** A row as the SQL gateway contract's Row: {"kind", "fields" (JSON format), "text" (PLAIN_TEXT)}. */
public final class PreviewRow {
    private PreviewRow() {}

    /** The Row object of an internal row whose fields have the given types. */
    public static ObjectNode of(RowData row, List<LogicalType> types, ZoneId zone) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("kind", row.getRowKind().name());
        ArrayNode fields = node.putArray("fields");
        ArrayNode text = node.putArray("text");
        for (int i = 0; i < types.size(); i++) {
            LogicalType type = types.get(i);
            Object value = RowData.createFieldGetter(type, i).getFieldOrNull(row);
            fields.add(FieldJson.of(type, value));
            text.add(FieldText.of(type, value, zone));
        }
        return node;
    }
}
