package dev.tallyman.host.commands.images;

/** Where a build writes what the user sees: Docker's step lines and RUN output, and the resulting image id. */
public interface BuildOutput {
    /** Text as Docker's builder writes it, with its newlines ({@code Step 1/3 : FROM busybox\n}). */
    void text(String text);

    /** The image the build made ("sha256:…"): the CLI's {@code -q} and {@code --iidfile} read it. */
    void imageId(String imageId);
}
