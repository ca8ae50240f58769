package dev.tallyman.host.api.json;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/** GET /version, in Docker's shape. */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record VersionJson(
        Platform platform,
        List<Component> components,
        String version,
        String apiVersion,
        @com.fasterxml.jackson.annotation.JsonProperty("MinAPIVersion") String minApiVersion,
        String gitCommit,
        String goVersion,
        String os,
        String arch,
        String kernelVersion,
        String buildTime) {

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record Platform(String name) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record Component(String name, String version, Map<String, String> details) {
    }
}
