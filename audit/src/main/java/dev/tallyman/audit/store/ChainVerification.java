package dev.tallyman.audit.store;

import java.util.Optional;

/**
 * The result of walking the hash chain.
 *
 * @param eventsChecked how many events were read
 * @param firstBroken the position of the first event whose stored hash or previous-hash link does not match, if any
 * @param problem what is wrong there, e.g. "hash does not match contents" or "previous hash does not match event 41"
 */
public record ChainVerification(long eventsChecked, Optional<Long> firstBroken, String problem) {
    public boolean intact() {
        return firstBroken.isEmpty();
    }
}
