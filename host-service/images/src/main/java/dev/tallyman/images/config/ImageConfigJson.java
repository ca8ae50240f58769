package dev.tallyman.images.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * The wire shape of an image config (OCI image-spec {@code config.md} plus Docker's Healthcheck and OnBuild),
 * kept apart from {@link ImageConfig}. Field order is fixed so that equal configs give equal bytes.
 */
final class ImageConfigJson {
    private ImageConfigJson() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"architecture", "author", "comment", "config", "created", "history", "os", "rootfs"})
    record Image(
            @JsonProperty("architecture") String architecture,
            @JsonProperty("author") String author,
            @JsonProperty("comment") String comment,
            @JsonProperty("config") Config config,
            @JsonProperty("created") String created,
            @JsonProperty("history") List<History> history,
            @JsonProperty("os") String os,
            @JsonProperty("rootfs") RootFs rootfs) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Healthcheck", "Volumes", "WorkingDir",
            "Labels", "OnBuild", "StopSignal"})
    record Config(
            @JsonProperty("User") String user,
            @JsonProperty("ExposedPorts") Map<String, Map<String, Object>> exposedPorts,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("Healthcheck") Health healthcheck,
            @JsonProperty("Volumes") Map<String, Map<String, Object>> volumes,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("OnBuild") List<String> onBuild,
            @JsonProperty("StopSignal") String stopSignal,
            @JsonProperty("Shell") List<String> shell) {
    }

    /** Durations in nanoseconds, as Go's time.Duration marshals; zero (unset) fields are left out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"})
    record Health(
            @JsonProperty("Test") List<String> test,
            @JsonProperty("Interval") Long interval,
            @JsonProperty("Timeout") Long timeout,
            @JsonProperty("StartPeriod") Long startPeriod,
            @JsonProperty("StartInterval") Long startInterval,
            @JsonProperty("Retries") Integer retries) {
    }

    @JsonPropertyOrder({"type", "diff_ids"})
    record RootFs(@JsonProperty("type") String type, @JsonProperty("diff_ids") List<String> diffIds) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"created", "created_by", "author", "comment", "empty_layer"})
    record History(
            @JsonProperty("created") String created,
            @JsonProperty("created_by") String createdBy,
            @JsonProperty("author") String author,
            @JsonProperty("comment") String comment,
            @JsonProperty("empty_layer") Boolean emptyLayer) {
    }
}
