package dev.tallyman.audit.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every request on the record names the events that close it, and can be closed as interrupted. */
class IntentContractTest {
    private final EventCodec codec = new EventCodec();

    static Stream<Class<? extends Event>> everyRequestedType() {
        EventCodec codec = new EventCodec();
        return EventCodec.concreteEventTypes().stream().filter(t -> codec.typeNames().get(t).endsWith("requested"));
    }

    @ParameterizedTest
    @MethodSource("everyRequestedType")
    void everyRequestIsAnIntentWithOutcomesOfItsOwnKind(Class<? extends Event> type) {
        assertThat(Intent.class).as(type.getSimpleName() + " is an intent").isAssignableFrom(type);
        Intent intent = (Intent) EventCodecTest.sample(type, type.getSimpleName());
        List<Class<? extends Event>> outcomes = intent.outcomes();

        assertThat(outcomes).as("success and failure").hasSize(2).doesNotHaveDuplicates();
        Class<?> kind = type.getInterfaces()[0];
        for (Class<? extends Event> outcome : outcomes) {
            assertThat(EventCodec.concreteEventTypes()).contains(outcome);
            assertThat(kind).as("%s closes %s in the same stream kind", outcome.getSimpleName(), type.getSimpleName())
                    .isAssignableFrom(outcome);
            assertThat(codec.typeNames().get(outcome)).doesNotEndWith("requested");
        }
        Event interrupted = intent.interrupted("tallyman stopped");
        assertThat(interrupted).isInstanceOf(outcomes.get(1));
        assertThat(codec.encode(interrupted)).contains("tallyman stopped");
    }
}
