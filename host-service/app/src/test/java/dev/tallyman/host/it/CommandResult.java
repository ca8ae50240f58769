package dev.tallyman.host.it;

/** What a command line printed and how it ended. */
public record CommandResult(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
}
