package dev.tallyman.host.commands.containers;

import dev.tallyman.host.commands.EngineException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Container ids and names: Docker's rules for the names users give, and generated ones for those they don't. */
public final class ContainerNames {
    private static final Pattern VALID_NAME = Pattern.compile("/?[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<String> ADJECTIVES = List.of("brave", "calm", "eager", "fair", "gentle", "happy",
            "jolly", "keen", "lucid", "merry", "nimble", "patient", "quiet", "steady", "tidy", "upright", "vivid", "wise");
    private static final List<String> TALLIES = List.of("abacus", "ledger", "tally", "audit", "record", "journal",
            "register", "receipt", "inventory", "almanac", "chronicle", "docket", "logbook", "manifest", "census");

    private ContainerNames() {
    }

    /** 64 hex digits, like Docker's ids; regenerated in the astronomically rare case of a clash. */
    public static String newId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The name without its leading slash, or Docker's 400 when it breaks the rules. */
    public static String validate(String name) {
        if (!VALID_NAME.matcher(name).matches()) {
            throw EngineException.invalid("Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        return name.startsWith("/") ? name.substring(1) : name;
    }

    /** Docker's 409 for a name another container holds. */
    public static EngineException nameInUse(String name, String ownerId) {
        return EngineException.conflict("Conflict. The container name \"/" + name + "\" is already in use by container \""
                + ownerId + "\". You have to remove (or rename) that container to be able to reuse that name.");
    }

    /** An "adjective_noun" name not yet taken, with a number appended after a few clashes. */
    public static String generate(Predicate<String> taken) {
        for (int attempt = 0; ; attempt++) {
            String name = ADJECTIVES.get(RANDOM.nextInt(ADJECTIVES.size())) + "_" + TALLIES.get(RANDOM.nextInt(TALLIES.size()));
            if (attempt > 5) {
                name = name + RANDOM.nextInt(10_000);
            }
            if (!taken.test(name)) {
                return name;
            }
        }
    }
}
