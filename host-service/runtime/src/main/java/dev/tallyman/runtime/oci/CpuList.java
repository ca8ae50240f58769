package dev.tallyman.runtime.oci;

import java.util.Set;
import java.util.TreeSet;

/** The kernel's list format for CPUs and memory nodes: {@code 7}, {@code 1-6}, {@code 0,3-4,7}. */
final class CpuList {
    private CpuList() {
    }

    /**
     * The numbers the list names. Like Docker's parser an empty list is empty, and every other malformed
     * piece (empty, negative, reversed range) fails with {@code invalid format: <list>}.
     *
     * @throws IllegalArgumentException with Docker's wording
     */
    static Set<Integer> parse(String list, int maximum) {
        Set<Integer> result = new TreeSet<>();
        if (list.isEmpty()) {
            return result;
        }
        for (String piece : list.split(",", -1)) {
            int dash = piece.indexOf('-');
            int low = number(dash < 0 ? piece : piece.substring(0, dash), list);
            int high = dash < 0 ? low : number(piece.substring(dash + 1), list);
            if (high < low) {
                throw new IllegalArgumentException("invalid format: " + list);
            }
            if (high > maximum) {
                throw new IllegalArgumentException("value of out range, maximum is " + maximum);
            }
            for (int n = low; n <= high; n++) {
                result.add(n);
            }
        }
        return result;
    }

    private static int number(String text, String list) {
        try {
            // Go's Atoi takes a sign; a negative number then fails the range check above or Docker's availability.
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid format: " + list);
        }
    }
}
