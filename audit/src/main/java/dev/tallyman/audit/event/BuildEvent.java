package dev.tallyman.audit.event;

import java.util.List;
import java.util.Map;

/**
 * One {@code docker build}, as its own stream {@code build-<id>}: what was asked (who built what, from which
 * Dockerfile and context), each step with its cache hit or miss and the image it left, and how it ended. The
 * images the steps make are on the images stream ({@link ImageEvent.ImageBuilt}), correlated with the same
 * request; the RUN containers are on their own container streams.
 */
public sealed interface BuildEvent extends Event {
    String buildId();

    /**
     * @param dockerfile       the Dockerfile's name in the context
     * @param dockerfileDigest sha256 of the Dockerfile's bytes
     * @param contextDigest    sha256 of the context as it was received (the request body)
     * @param contextBytes     its size
     * @param tags             the names asked for ({@code -t}), normalized
     * @param target           {@code --target}, "" for the last stage
     * @param buildArgs        the names of the {@code --build-arg}s given (their values may be secrets: not kept)
     */
    @EventType("build.requested")
    record BuildRequested(String buildId, String dockerfile, String dockerfileDigest, String contextDigest,
                          long contextBytes, List<String> tags, String target, List<String> buildArgs,
                          Map<String, String> labels, boolean noCache, boolean pull, String networkMode,
                          int steps) implements BuildEvent, Intent {
        public BuildRequested {
            tags = List.copyOf(tags);
            buildArgs = List.copyOf(buildArgs);
            labels = Map.copyOf(labels);
        }

        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(BuildSucceeded.class, BuildFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new BuildFailed(buildId, 0, reason);
        }
    }

    /**
     * @param step        its number as {@code Step n/m} shows it
     * @param instruction the instruction as written
     * @param cacheHit    whether an existing image was reused
     * @param parentImageId the image the step started from, "" for scratch
     * @param imageId     the image the step left
     */
    @EventType("build.step-finished")
    record BuildStepFinished(String buildId, int step, String instruction, boolean cacheHit, String parentImageId,
                             String imageId) implements BuildEvent {
    }

    @EventType("build.succeeded")
    record BuildSucceeded(String buildId, String imageId, List<String> tags) implements BuildEvent {
        public BuildSucceeded {
            tags = List.copyOf(tags);
        }
    }

    /** @param step the step that failed, 0 when the build failed before its first step */
    @EventType("build.failed")
    record BuildFailed(String buildId, int step, String reason) implements BuildEvent {
    }
}
