package pulse.runner.preview;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.SerializationFormatFactory;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.types.RowKind;

/**
 * The {@code preview-json} format of the SQL gateway's previews: one record per changelog row
 * (inserts, updates and deletes alike), value {"kind", "fields", "text"}. Its changelog mode is
 * every kind, so a Kafka sink (whose mode is its format's) takes an updating query's changelog.
 */
public final class PreviewJsonFormatFactory implements SerializationFormatFactory {
    public static final String IDENTIFIER = "preview-json";

    /** The zone TIMESTAMP_LTZ values are printed in (the session's table.local-time-zone). */
    public static final ConfigOption<String> TIME_ZONE = ConfigOptions.key("time-zone")
        .stringType()
        .defaultValue("UTC")
        .withDescription("zone in which TIMESTAMP WITH LOCAL TIME ZONE values are printed");

    static final ChangelogMode ALL = ChangelogMode.newBuilder()
        .addContainedKind(RowKind.INSERT)
        .addContainedKind(RowKind.UPDATE_BEFORE)
        .addContainedKind(RowKind.UPDATE_AFTER)
        .addContainedKind(RowKind.DELETE)
        .build();

    @Override
    public EncodingFormat<SerializationSchema<RowData>> createEncodingFormat(
            DynamicTableFactory.Context context, ReadableConfig formatOptions) {
        FactoryUtil.validateFactoryOptions(this, formatOptions);
        final String zone = formatOptions.get(TIME_ZONE);
        return new EncodingFormat<SerializationSchema<RowData>>() {
            @Override
            public SerializationSchema<RowData> createRuntimeEncoder(DynamicTableSink.Context sinkContext, DataType type) {
                List<LogicalType> fields = type.getLogicalType().getChildren();
                return new PreviewJsonSerializationSchema(fields, zone);
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ALL;
            }
        };
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Collections.emptySet();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> options = new HashSet<ConfigOption<?>>();
        options.add(TIME_ZONE);
        return options;
    }
}
