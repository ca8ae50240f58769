package dev.tallyman.host.commands.containers;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import dev.tallyman.spi.storage.WritableLayerOptions;
import java.util.Map;
import java.util.Optional;

/**
 * {@code docker run --storage-opt}: handed to the storage driver, which alone knows what it can honour
 * ({@link WritableLayerOptions}); checked before the container is on the record, so a refusal is a 400 and a
 * {@code command.refused}, never a half-made container (issue 14).
 */
final class StorageOptions {
    private StorageOptions() {
    }

    static void validate(StorageDriver storage, Map<String, String> options) {
        if (options.isEmpty()) {
            return;
        }
        if (!(storage instanceof WritableLayerOptions withOptions)) {
            throw EngineException.invalid("--storage-opt is not supported by the " + storage.name() + " storage driver");
        }
        withOptions.refusal(options).ifPresent(reason -> {
            throw EngineException.invalid(reason);
        });
    }

    static void createWritable(StorageDriver storage, LayerId id, Optional<LayerId> parent, Map<String, String> options) {
        if (options.isEmpty()) {
            storage.createWritable(id, parent);
        } else {
            ((WritableLayerOptions) storage).createWritable(id, parent, options);
        }
    }
}
