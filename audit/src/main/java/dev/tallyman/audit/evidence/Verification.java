package dev.tallyman.audit.evidence;

import java.util.List;

/**
 * What verify found: how much it read and every problem, in the order found.
 *
 * @param eventsChecked      events whose hash and link were recomputed
 * @param checkpointsChecked checkpoints (file lines and table rows) whose signature was checked
 * @param head               the newest position in the store when verify began
 * @param from               the position the walk started after (0: the first event)
 */
public record Verification(long eventsChecked, long checkpointsChecked, long head, long from, List<Problem> problems) {

    public Verification {
        problems = List.copyOf(problems);
    }

    public boolean intact() {
        return problems.isEmpty();
    }
}
