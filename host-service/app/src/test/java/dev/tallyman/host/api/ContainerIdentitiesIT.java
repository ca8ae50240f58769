package dev.tallyman.host.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.audit.event.ContainerEvent.ContainerCreateRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerCreated;
import dev.tallyman.audit.event.ContainerEvent.ContainerRemoved;
import dev.tallyman.audit.event.ContainerEvent.ContainerRenamed;
import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.it.TestDatabase;
import dev.tallyman.host.projections.ContainerProjection.Identity;
import dev.tallyman.host.projections.Projections;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * docker events names a container long removed (no longer in the projections) from its own stream: the name
 * it had last, its image and labels.
 */
class ContainerIdentitiesIT {
    private static final ContainerSpec SPEC = new ContainerSpec("busybox:latest", "sha256:" + "a".repeat(64), List.of(),
            List.of("true"), List.of(), "", "", "c1", Map.of("team", "audit"), "none", false, false, false, "vfs");

    @Test
    void aContainerNoLongerInTheProjectionsIsNamedFromItsStream() throws Exception {
        try (TestDatabase database = new TestDatabase()) {
            PGSimpleDataSource dataSource = database.migratedDataSource();
            try (JdbcEventStore store = new JdbcEventStore(dataSource, Clock.systemUTC())) {
                String id = "f".repeat(64);
                StreamId stream = StreamId.container(id);
                Actor actor = Actor.socket(0, 1, "root");
                store.append(stream, ExpectedVersion.noStream(), List.of(new ContainerCreateRequested(id, "/web", SPEC),
                        new ContainerCreated(id), new ContainerRenamed(id, "/web", "/web-old"), new ContainerRemoved(id)),
                        actor, UUID.randomUUID());

                ContainerIdentities identities = new ContainerIdentities(new Projections(), store);

                assertThat(identities.of(id)).contains(new Identity("/web-old", "busybox:latest", Map.of("team", "audit")));
                assertThat(identities.of("e".repeat(64))).isEmpty();
            }
        }
    }
}
