package dev.tallyman.audit.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {
    private final EventCodec codec = new EventCodec();

    static Stream<Class<? extends Event>> everyEventType() {
        return EventCodec.concreteEventTypes().stream();
    }

    @Test
    void everyPermittedEventHasItsOwnStoredName() {
        Map<String, Class<?>> seen = new HashMap<>();
        for (Class<? extends Event> type : EventCodec.concreteEventTypes()) {
            EventType name = type.getAnnotation(EventType.class);
            assertThat(name).as("@EventType on %s", type.getName()).isNotNull();
            assertThat(name.value()).as("@EventType on %s", type.getName()).isNotBlank();
            Class<?> other = seen.put(name.value(), type);
            assertThat(other).as("type name %s used by %s and %s", name.value(), other, type).isNull();
        }
        assertThat(seen).containsKeys("command.refused", "container.created", "image.tagged");
        assertThat(codec.typeNames()).hasSize(seen.size());
    }

    @ParameterizedTest
    @MethodSource("everyEventType")
    void everyEventSurvivesAJsonRoundTrip(Class<? extends Event> type) {
        Event sample = (Event) sample(type, type.getSimpleName());
        String name = codec.typeName(sample);
        String json = codec.encode(sample);

        Event back = codec.decode(name, json);

        assertThat(back).isEqualTo(sample);
        assertThat(codec.encode(back)).as("the same event encodes to the same text").isEqualTo(json);
        assertThat(json).doesNotContain("\n");
    }

    @Test
    void mapsAreWrittenInKeyOrderWhateverTheirIterationOrder() {
        ContainerSpec spec = (ContainerSpec) sample(ContainerSpec.class, "spec");
        ContainerSpec one = withLabels(spec, Map.of("b", "2", "a", "1", "c", "3"));
        ContainerSpec two = withLabels(spec, Map.of("c", "3", "a", "1", "b", "2"));
        String json = codec.encode(new ContainerEvent.ContainerCreateRequested("c1", "web", one));

        assertThat(json).isEqualTo(codec.encode(new ContainerEvent.ContainerCreateRequested("c1", "web", two)));
        assertThat(json).contains("{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}");
    }

    @Test
    void timesAreWrittenAsIsoText() {
        String json = codec.encode(new ContainerEvent.ContainerStarted("c1", 42, Instant.parse("2024-05-01T10:15:30.123456Z")));

        assertThat(json).isEqualTo("{\"containerId\":\"c1\",\"pid\":42,\"startedAt\":\"2024-05-01T10:15:30.123456Z\"}");
    }

    @Test
    void unknownStoredTypeIsNamedOnRead() {
        assertThatThrownBy(() -> codec.decode("container.teleported", "{}"))
                .isInstanceOf(UnknownEventTypeException.class)
                .hasMessageContaining("unknown event type \"container.teleported\"");
    }

    @Test
    void payloadThatDoesNotFitItsTypeIsNamedOnRead() {
        assertThatThrownBy(() -> codec.decode("container.started", "{\"pid\":\"not a number\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("decode event container.started: ");
    }

    private static ContainerSpec withLabels(ContainerSpec s, Map<String, String> labels) {
        return new ContainerSpec(s.image(), s.imageId(), s.entrypoint(), s.cmd(), s.env(), s.workingDir(), s.user(),
                s.hostname(), labels, s.networkMode(), s.autoRemove(), s.tty(), s.openStdin(), s.storageDriver());
    }

    /** A value of {@code type} with every field set, so a field the codec drops shows up as a difference. */
    static Object sample(Type type, String hint) {
        if (type == String.class) {
            return hint + " \"quoted\" ünïcode";
        }
        if (type == int.class || type == Integer.class) {
            return 7;
        }
        if (type == long.class || type == Long.class) {
            return 4_000_000_000L;
        }
        if (type == boolean.class || type == Boolean.class) {
            return true;
        }
        if (type == Instant.class) {
            return Instant.parse("2024-05-01T10:15:30.123456789Z");
        }
        if (type instanceof ParameterizedType generic) {
            Type raw = generic.getRawType();
            Type[] args = generic.getActualTypeArguments();
            if (raw == List.class) {
                return List.of(sample(args[0], hint + "0"), sample(args[0], hint + "1"));
            }
            if (raw == Map.class) {
                return Map.of(sample(args[0], hint + "k0"), sample(args[1], hint + "v0"),
                        sample(args[0], hint + "k1"), sample(args[1], hint + "v1"));
            }
            if (raw == Optional.class) {
                return Optional.of(sample(args[0], hint));
            }
        }
        if (type instanceof Class<?> c && c.isRecord()) {
            RecordComponent[] components = c.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                values[i] = sample(components[i].getGenericType(), components[i].getName());
            }
            try {
                Constructor<?> canonical = c.getDeclaredConstructor(types);
                canonical.setAccessible(true);
                return canonical.newInstance(values);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("build sample " + c.getName() + ": " + e, e);
            }
        }
        return fail("no sample value for " + type.getTypeName() + " (" + hint + "); teach EventCodecTest.sample one");
    }
}
