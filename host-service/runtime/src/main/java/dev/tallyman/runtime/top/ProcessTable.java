package dev.tallyman.runtime.top;

import java.util.List;

/**
 * What {@code docker top} shows: ps' column titles and the container's rows.
 *
 * @param titles ps' header fields
 * @param processes one row per process, as many fields as titles (the last keeps its spaces, e.g. a command line)
 */
public record ProcessTable(List<String> titles, List<List<String>> processes) {
    public ProcessTable {
        titles = List.copyOf(titles);
        processes = processes.stream().map(List::copyOf).toList();
    }
}
