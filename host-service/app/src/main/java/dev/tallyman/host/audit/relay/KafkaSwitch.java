package dev.tallyman.host.audit.relay;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns the Kafka channel on exactly when {@code TALLYMAN_KAFKA_BOOTSTRAP} is set: gives
 * {@code tallyman-kafka.enabled}, which {@code mp.messaging.outgoing.tallyman-kafka.enabled} reads. Configuration has
 * no "is this set" expression, and a connector channel left enabled without a broker dials localhost:9092 at start.
 */
public final class KafkaSwitch implements ConfigSource {
    private static final String KEY = "tallyman-kafka.enabled";

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(KEY);
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of(KEY, value());
    }

    @Override
    public String getValue(String propertyName) {
        return KEY.equals(propertyName) ? value() : null;
    }

    private static String value() {
        String bootstrap = System.getenv("TALLYMAN_KAFKA_BOOTSTRAP");
        return Boolean.toString(bootstrap != null && !bootstrap.isBlank());
    }

    @Override
    public String getName() {
        return "tallyman-kafka-switch";
    }

    @Override
    public int getOrdinal() {
        return 275;
    }
}
