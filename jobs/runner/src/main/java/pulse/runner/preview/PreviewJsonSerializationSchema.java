package pulse.runner.preview;

import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/** Writes each changelog row as one UTF-8 JSON Row object (see {@link PreviewRow}). */
public final class PreviewJsonSerializationSchema implements SerializationSchema<RowData> {
    private static final long serialVersionUID = 1L;

    private final LogicalType[] types;
    private final String zone;
    private transient List<LogicalType> typeList;
    private transient ZoneId zoneId;
    private transient ObjectMapper mapper;

    public PreviewJsonSerializationSchema(List<LogicalType> types, String zone) {
        this.types = types.toArray(new LogicalType[0]);
        this.zone = zone;
    }

    @Override
    public void open(InitializationContext context) {
        init();
    }

    private void init() {
        typeList = Arrays.asList(types);
        zoneId = ZoneId.of(zone);
        mapper = new ObjectMapper();
    }

    @Override
    public byte[] serialize(RowData row) {
        if (mapper == null) {
            init();
        }
        try {
            return mapper.writeValueAsBytes(PreviewRow.of(row, typeList, zoneId));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the preview row " + row, e);
        }
    }
}
