package dev.tallyman.audit.event;

/**
 * What Tallyman did with a registry's credentials, in stream {@code registry-<host>}: docker login attempts, by
 * registry and user name. Passwords and tokens never reach the record.
 */
public sealed interface RegistryEvent extends Event {

    /** The registry host as logins name it ({@code localhost:5000}, {@code docker.io}). */
    String registry();

    /** docker login: the daemon is to check these credentials against the registry. */
    @EventType("registry.login-requested")
    record RegistryLoginRequested(String registry, String username) implements RegistryEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(RegistryLoggedIn.class, RegistryLoginFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new RegistryLoginFailed(registry, username, reason);
        }
    }

    /** The registry accepted the credentials; the client keeps them, Tallyman does not. */
    @EventType("registry.logged-in")
    record RegistryLoggedIn(String registry, String username) implements RegistryEvent {
    }

    @EventType("registry.login-failed")
    record RegistryLoginFailed(String registry, String username, String reason) implements RegistryEvent {
    }
}
