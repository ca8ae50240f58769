package dev.tallyman.runtime.attach;

import java.util.ArrayList;
import java.util.List;

/**
 * The key sequence that detaches a client from a container's input, in Docker's notation: keys separated by
 * commas, each a single character ({@code a}), {@code ctrl-<c>} for c in {@code @ a..z [ \ ] ^ _}, or
 * {@code DEL}. Docker's default is {@code ctrl-p,ctrl-q}.
 *
 * @param keys the bytes the keys send, not empty
 */
public record DetachKeys(List<Byte> keys) {
    /** The text Docker reports when a client detached with the sequence. */
    public static final String DETACHED_MESSAGE = "read escape sequence";

    public static final DetachKeys DEFAULT = new DetachKeys(List.of((byte) 16, (byte) 17));

    private static final String CONTROL_NAMES = "@abcdefghijklmnopqrstuvwxyz[\\]^_";

    public DetachKeys {
        keys = List.copyOf(keys);
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("detach keys must not be empty");
        }
    }

    /**
     * Parses Docker's notation; {@code null} or empty text means {@link #DEFAULT}, as in Docker where an unset
     * option falls back to the default.
     *
     * @throws IllegalArgumentException with Docker's text {@code Unknown character: '<key>'}
     */
    public static DetachKeys parse(String text) {
        if (text == null || text.isEmpty()) {
            return DEFAULT;
        }
        List<Byte> bytes = new ArrayList<>();
        for (String key : text.split(",", -1)) {
            bytes.add(code(key));
        }
        return new DetachKeys(bytes);
    }

    private static byte code(String key) {
        if (key.length() == 1) {
            return (byte) key.charAt(0);
        }
        if (key.length() == 6 && key.startsWith("ctrl-")) {
            int index = CONTROL_NAMES.indexOf(key.charAt(5));
            if (index >= 0) {
                return (byte) index;
            }
        }
        if (key.equals("DEL")) {
            return 127;
        }
        throw new IllegalArgumentException("Unknown character: '" + key + "'");
    }

    byte[] bytes() {
        byte[] result = new byte[keys.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = keys.get(i);
        }
        return result;
    }
}
