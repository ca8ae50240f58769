package dev.tallyman.host.commands.images;

import dev.tallyman.audit.event.BuildEvent.BuildFailed;
import dev.tallyman.audit.event.BuildEvent.BuildRequested;
import dev.tallyman.audit.event.BuildEvent.BuildStepFinished;
import dev.tallyman.audit.event.BuildEvent.BuildSucceeded;
import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.ImageEvent.ImageBuilt;
import dev.tallyman.audit.event.ImageEvent.ImageTagged;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.containers.CreateContainer;
import dev.tallyman.host.commands.containers.CreateContainerHandler;
import dev.tallyman.host.commands.containers.RemoveContainerHandler;
import dev.tallyman.host.commands.containers.StartContainerHandler;
import dev.tallyman.host.commands.files.ArchiveExtractor;
import dev.tallyman.host.commands.files.ContainerUsers;
import dev.tallyman.host.commands.files.ScopedPath;
import dev.tallyman.host.projections.ContainerWaits;
import dev.tallyman.host.projections.ImageView;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.images.ImageException;
import dev.tallyman.images.archive.Compression;
import dev.tallyman.images.archive.ImageCommitter;
import dev.tallyman.images.archive.ImportedImage;
import dev.tallyman.images.build.CopySources;
import dev.tallyman.images.build.Dockerfile;
import dev.tallyman.images.build.Instruction;
import dev.tallyman.images.config.ConfigChanges;
import dev.tallyman.images.config.ContainerConfig;
import dev.tallyman.images.config.DockerfileWords;
import dev.tallyman.images.config.HistoryEntry;
import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.runtime.logs.ContainerLogReader;
import dev.tallyman.runtime.logs.LogEntry;
import dev.tallyman.spi.linux.Mounts;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * docker build with Docker's classic builder. Each instruction is a step that leaves an image: instructions
 * that change only the config commit a config over the parent's layers; RUN runs a real container (created,
 * started and removed through the container commands, so each is on the record and runs under runc with the
 * storage driver and the network like any other) and commits its writable layer; COPY and ADD write into a
 * writable layer of the storage driver over the parent and commit it.
 *
 * <p>The cache is the images themselves: a step is reused when an image exists whose history is the parent's
 * plus one entry with the same instruction text (for RUN with the build args it sees, for COPY and ADD with the
 * digest of the files' content), whose layers are the parent's (plus one) and whose config is the one this step
 * would make. So it survives restarts and a removed image takes its cache entry with it.
 *
 * <p>On the record: the build's own stream ({@code build-<correlation id>}) says what was asked, each step's
 * hit or miss, and the end; each image made is an {@link ImageBuilt} on the images stream.
 */
public final class BuildImageHandler {
    private static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");
    private static final String RED = "\u001b[91m";
    private static final String RESET = "\u001b[0m";
    private static final Set<String> PROXY_ARGS = Set.of("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
            "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");
    private static final Set<String> KNOWN = Set.of("FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV",
            "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK",
            "SHELL");

    private final Journal journal;
    private final Projections projections;
    private final ImageLookup lookup;
    private final ImageStore store;
    private final StorageDriver storage;
    private final ImageCommitter committer;
    private final CreateContainerHandler creator;
    private final StartContainerHandler starter;
    private final RemoveContainerHandler remover;
    private final ContainerWaits waits;
    private final Function<String, Path> logPath;
    private final Path scratch;
    private final Optional<FromPuller> puller;
    /** Decoded configs by image id: a config never changes, so the cache probe reads each once. */
    private final Map<String, ImageConfig> configs = new ConcurrentHashMap<>();

    /** Pulls a FROM image that is missing (or every FROM image with --pull). */
    @FunctionalInterface
    public interface FromPuller {
        String pull(ImageReference reference, BuildOutput out, CommandContext context);
    }

    public BuildImageHandler(Journal journal, Projections projections, ImageLookup lookup, ImageStore store,
                             StorageDriver storage, ImageCommitter committer, CreateContainerHandler creator,
                             StartContainerHandler starter, RemoveContainerHandler remover, ContainerWaits waits,
                             Function<String, Path> logPath, Path scratch, Optional<FromPuller> puller) {
        this.journal = journal;
        this.projections = projections;
        this.lookup = lookup;
        this.store = store;
        this.storage = storage;
        this.committer = committer;
        this.creator = creator;
        this.starter = starter;
        this.remover = remover;
        this.waits = waits;
        this.logPath = logPath;
        this.scratch = scratch;
        this.puller = puller;
    }

    /** A step's failure, with the step it happened in; its message is what the user reads. */
    private static final class StepFailed extends RuntimeException {
        StepFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What a stage has built so far. */
    private static final class Stage {
        final int index;
        String name = "";
        ImageConfig image = ImageCommitter.SCRATCH;
        Optional<Digest> imageId = Optional.empty();
        List<String> shell = DEFAULT_SHELL;
        final Map<String, String> args = new LinkedHashMap<>();
        boolean cmdSet;
        final List<Instruction> instructions = new ArrayList<>();

        Stage(int index) {
            this.index = index;
        }
    }

    /** The state of one build. */
    private final class Run {
        final BuildImage command;
        final BuildOutput out;
        final CommandContext context;
        final String buildId;
        final char escape;
        final Map<String, String> metaArgs = new LinkedHashMap<>();
        final Set<String> consumed = new HashSet<>();
        final List<Stage> stages = new ArrayList<>();
        final List<Instruction> meta = new ArrayList<>();
        int step;
        int total;
        /**
         * Outcomes not yet appended: the images made (ImageBuilt) and the steps finished. They go to the store
         * in as few appends as the build allows (before a RUN container needs its image in the projection, and
         * at the end), as one commit per step would cost a cached build more than its work.
         */
        final List<Event> pendingImages = new ArrayList<>();
        final List<Event> pendingSteps = new ArrayList<>();

        Run(BuildImage command, BuildOutput out, CommandContext context, char escape) {
            this.command = command;
            this.out = out;
            this.context = context;
            this.buildId = context.correlationId().toString();
            this.escape = escape;
        }

        void say(String text) {
            if (!command.quiet()) {
                out.text(text);
            }
        }
    }

    /** @return the id of the image built */
    public String handle(BuildImage command, BuildOutput out, CommandContext context) {
        String text;
        Dockerfile dockerfile;
        try {
            text = command.context().dockerfileText(command.dockerfile());
            dockerfile = Dockerfile.parse(text);
        } catch (ImageException e) {
            throw EngineException.invalid(e.getMessage());
        }
        Run run = new Run(command, out, context, dockerfile.escape());
        plan(run, dockerfile);
        journal.append(StreamId.of("build", run.buildId), ExpectedVersion.noStream(), new BuildRequested(run.buildId,
                command.dockerfile(), Digest.sha256(text.getBytes(StandardCharsets.UTF_8)).toString(),
                command.context().digest().toString(), command.context().bytes(),
                command.tags().stream().map(ImageReference::toString).toList(), command.target(),
                new ArrayList<>(new java.util.TreeSet<>(command.buildArgs().keySet())), command.labels(), command.noCache(),
                command.pull(), command.networkMode(), run.total), context);
        Digest result;
        try {
            result = execute(run);
        } catch (RuntimeException e) {
            // Any failure ends the build on the record, also one that is not the step's (the client hung up).
            String message = e instanceof EngineException || e instanceof StepFailed || e instanceof ImageException
                    ? e.getMessage() : "build step " + run.step + ": " + e.getMessage();
            flushImages(run, List.of());
            run.pendingSteps.add(new BuildFailed(run.buildId, run.step, message));
            journal.append(StreamId.of("build", run.buildId), ExpectedVersion.any(), run.pendingSteps, context);
            EngineException failure = e instanceof EngineException engine && engine.kind() != EngineException.Kind.SYSTEM
                    ? engine : EngineException.invalid(message);
            throw failure.onRecord();
        }
        List<String> unused = new ArrayList<>();
        for (String name : new java.util.TreeSet<>(command.buildArgs().keySet())) {
            if (!run.consumed.contains(name) && !PROXY_ARGS.contains(name)) {
                unused.add(name);
            }
        }
        if (!unused.isEmpty()) {
            run.say("[Warning] One or more build-args " + unused + " were not consumed\n");
        }
        String id = result.toString();
        out.imageId(id);
        if (command.quiet()) {
            // With -q Docker's stream carries the image id alone; the CLI prints it (and --iidfile writes it).
            out.text(id + "\n");
        }
        run.say("Successfully built " + result.shortHex() + "\n");
        List<Event> tags = new ArrayList<>();
        for (ImageReference tag : command.tags()) {
            tags.add(new ImageTagged(id, tag.toString()));
        }
        flushImages(run, tags);
        run.pendingSteps.add(new BuildSucceeded(run.buildId, id, command.tags().stream().map(ImageReference::toString).toList()));
        journal.append(StreamId.of("build", run.buildId), ExpectedVersion.any(), run.pendingSteps, context);
        for (ImageReference tag : command.tags()) {
            run.say("Successfully tagged " + tag.familiar() + "\n");
        }
        return id;
    }

    /** Appends the images made so far, and then {@code more} (tags), in one append to the build's stream. */
    private void flushImages(Run run, List<Event> more) {
        List<Event> events = new ArrayList<>(run.pendingImages);
        events.addAll(more);
        run.pendingImages.clear();
        if (!events.isEmpty()) {
            journal.append(StreamId.of("build", run.buildId), ExpectedVersion.any(), events, run.context);
        }
    }

    /** Splits the Dockerfile into stages, picks the target, counts the steps; refuses what cannot build. */
    private void plan(Run run, Dockerfile dockerfile) {
        Stage current = null;
        for (Instruction instruction : dockerfile.instructions()) {
            if (!KNOWN.contains(instruction.keyword())) {
                throw EngineException.invalid("dockerfile parse error line " + instruction.line()
                        + ": unknown instruction: " + instruction.keyword());
            }
            if (instruction.keyword().equals("FROM")) {
                current = new Stage(run.stages.size());
                run.stages.add(current);
                List<String> words = List.of(instruction.arguments().split("\\s+"));
                if (words.size() == 3 && words.get(1).equalsIgnoreCase("AS")) {
                    current.name = words.get(2).toLowerCase(Locale.ROOT);
                } else if (words.size() != 1 || words.get(0).isEmpty()) {
                    throw EngineException.invalid("dockerfile parse error line " + instruction.line()
                            + ": FROM requires either one or three arguments");
                }
                current.instructions.add(instruction);
            } else if (current == null) {
                if (!instruction.keyword().equals("ARG")) {
                    throw EngineException.invalid("no build stage in current context");
                }
                run.meta.add(instruction);
            } else {
                current.instructions.add(instruction);
            }
        }
        if (run.stages.isEmpty()) {
            throw EngineException.invalid("no build stage in current context");
        }
        if (!run.command.target().isEmpty()) {
            int target = -1;
            for (Stage stage : run.stages) {
                if (stage.name.equals(run.command.target().toLowerCase(Locale.ROOT))) {
                    target = stage.index;
                }
            }
            if (target < 0) {
                throw EngineException.invalid("failed to reach build target " + run.command.target() + " in Dockerfile");
            }
            run.stages.subList(target + 1, run.stages.size()).clear();
        }
        if (!run.command.labels().isEmpty()) {
            // Docker adds --label as one more LABEL step at the end of the last stage built.
            StringBuilder line = new StringBuilder("LABEL");
            new TreeMap<>(run.command.labels()).forEach((k, v) -> line.append(' ').append(goQuote(k)).append("='")
                    .append(v).append('\''));
            Stage last = run.stages.get(run.stages.size() - 1);
            last.instructions.add(instructionOf(line.toString(), 0));
        }
        run.total = run.meta.size() + run.stages.stream().mapToInt(s -> s.instructions.size()).sum();
    }

    private static Instruction instructionOf(String text, int line) {
        return Dockerfile.parse(text).instructions().get(0);
    }

    private Digest execute(Run run) {
        for (Instruction arg : run.meta) {
            run.step++;
            run.say("Step " + run.step + "/" + run.total + " : " + arg.original() + "\n");
            declareArgs(run, arg, run.metaArgs, name -> run.metaArgs.get(name));
        }
        Stage last = null;
        for (Stage stage : run.stages) {
            for (Instruction instruction : stage.instructions) {
                run.step++;
                run.say("Step " + run.step + "/" + run.total + " : " + instruction.original() + "\n");
                try {
                    dispatch(run, stage, instruction);
                } catch (ImageException e) {
                    throw new StepFailed(e.getMessage(), e);
                }
            }
            last = stage;
        }
        if (last.imageId.isEmpty()) {
            throw new StepFailed("No image was generated. Is your Dockerfile empty?", null);
        }
        return last.imageId.get();
    }

    /** ARG: declares each name, its value from --build-arg, else its default, else none. */
    private void declareArgs(Run run, Instruction instruction, Map<String, String> into, Function<String, String> vars) {
        DockerfileWords words = new DockerfileWords(vars::apply, run.escape);
        for (String word : DockerfileWords.split(instruction.arguments())) {
            int eq = word.indexOf('=');
            String name = eq < 0 ? word : word.substring(0, eq);
            Optional<String> given = run.command.buildArgs().getOrDefault(name, Optional.empty()).isPresent()
                    ? run.command.buildArgs().get(name) : Optional.empty();
            String value;
            if (given.isPresent()) {
                value = given.get();
            } else if (eq >= 0) {
                value = words.word(word.substring(eq + 1));
            } else if (into != run.metaArgs && run.metaArgs.containsKey(name)) {
                value = run.metaArgs.get(name); // a stage re-declaring a global ARG gets its value
            } else {
                value = null;
            }
            run.consumed.add(name);
            into.put(name, value);
        }
    }

    private void dispatch(Run run, Stage stage, Instruction instruction) {
        String keyword = instruction.keyword();
        Function<String, String> vars = name -> stage.image.config().envValue(name)
                .orElseGet(() -> stage.args.get(name));
        switch (keyword) {
            case "FROM" -> from(run, stage, instruction);
            case "RUN" -> runStep(run, stage, instruction);
            case "COPY", "ADD" -> copy(run, stage, instruction, vars);
            case "ARG" -> {
                declareArgs(run, instruction, stage.args, vars);
                nop(run, stage, stage.image.config(), "ARG " + instruction.arguments().strip(), instruction);
            }
            case "MAINTAINER" -> {
                String author = instruction.arguments().strip();
                ImageConfig withAuthor = new ImageConfig(stage.image.architecture(), stage.image.os(), stage.image.created(),
                        author, stage.image.comment(), stage.image.config(), stage.image.diffIds(), stage.image.history());
                stage.image = withAuthor;
                nop(run, stage, stage.image.config(), "MAINTAINER " + author, instruction);
            }
            case "SHELL" -> {
                List<String> shell = instruction.execForm().orElseThrow(() -> ImageException.invalid(
                        "SHELL requires the arguments to be in JSON form"));
                if (shell.isEmpty()) {
                    throw ImageException.invalid("SHELL requires at least one argument");
                }
                stage.shell = shell;
                nop(run, stage, stage.image.config().withShell(shell), "SHELL [" + String.join(" ", shell) + "]",
                        instruction);
            }
            default -> configStep(run, stage, instruction, vars);
        }
    }

    /** CMD, ENTRYPOINT, ENV, LABEL, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, HEALTHCHECK, ONBUILD. */
    private void configStep(Run run, Stage stage, Instruction instruction, Function<String, String> vars) {
        String keyword = instruction.keyword();
        ContainerConfig before = stage.image.config();
        String arguments = instruction.arguments();
        if (keyword.equals("HEALTHCHECK") && !instruction.flags().isEmpty()) {
            StringBuilder flags = new StringBuilder();
            instruction.flags().forEach((k, v) -> flags.append("--").append(k).append('=').append(v).append(' '));
            arguments = flags + arguments;
        }
        ContainerConfig after = ConfigChanges.applyBuildInstruction(before, keyword, arguments, vars, stage.shell, run.escape);
        if (keyword.equals("CMD")) {
            stage.cmdSet = true;
        } else if (keyword.equals("ENTRYPOINT") && stage.cmdSet) {
            after = after.withCmd(before.cmd()); // a CMD of this same stage survives a later ENTRYPOINT
        }
        nop(run, stage, after, describe(keyword, before, after, instruction), instruction);
    }

    /** The history text Docker writes after {@code #(nop) } for a config-only step. */
    private static String describe(String keyword, ContainerConfig before, ContainerConfig after, Instruction instruction) {
        return switch (keyword) {
            case "CMD" -> "CMD " + goQuoted(after.cmd());
            case "ENTRYPOINT" -> "ENTRYPOINT " + goQuoted(after.entrypoint());
            case "ENV" -> {
                StringBuilder s = new StringBuilder("ENV");
                after.env().stream().filter(e -> !before.env().contains(e)).forEach(e -> s.append(' ').append(e));
                yield s.toString();
            }
            case "LABEL" -> {
                StringBuilder s = new StringBuilder("LABEL");
                after.labels().forEach((k, v) -> {
                    if (!v.equals(before.labels().get(k))) {
                        s.append(' ').append(k).append('=').append(v);
                    }
                });
                yield s.toString();
            }
            case "EXPOSE" -> "EXPOSE " + String.join(" ", after.exposedPorts().stream()
                    .filter(p -> !before.exposedPorts().contains(p)).toList());
            case "VOLUME" -> "VOLUME [" + String.join(" ", after.volumes().stream()
                    .filter(v -> !before.volumes().contains(v)).toList()) + "]";
            case "USER" -> "USER " + after.user();
            case "WORKDIR" -> "WORKDIR " + after.workingDir();
            case "STOPSIGNAL" -> "STOPSIGNAL " + after.stopSignal();
            case "ONBUILD" -> "ONBUILD " + instruction.arguments().strip();
            case "HEALTHCHECK" -> "HEALTHCHECK " + after.healthcheck().map(h -> "&{" + goQuoted(h.test()) + " \""
                    + h.interval().toString() + "\" \"" + h.timeout() + "\" \"" + h.startPeriod() + "\" "
                    + h.retries() + "}").orElse("");
            default -> keyword + " " + instruction.arguments().strip();
        };
    }

    /** A config-only step: reuse a cached image or commit the config over the parent's layers. */
    private void nop(Run run, Stage stage, ContainerConfig config, String description, Instruction instruction) {
        // Docker writes WORKDIR with one space after "#(nop)", every other instruction with two.
        String createdBy = description.startsWith("WORKDIR ") ? "/bin/sh -c #(nop) " + description
                : "/bin/sh -c #(nop)  " + description;
        Optional<Digest> parent = stage.imageId;
        Optional<Digest> cached = probe(run, stage, createdBy, config, true);
        if (cached.isPresent()) {
            hit(run, stage, instruction, parent, cached.get());
            return;
        }
        if (parent.isEmpty()) {
            // FROM scratch: no image to make a container of yet, so the config is committed as it stands.
            made(run, stage, instruction, parent, committer.configStep(stage.image, config, createdBy,
                    stage.image.author()), createdBy);
            return;
        }
        // As Docker's classic builder does, the step is a container of the parent image that never starts: it
        // shows in the output and on the record like a RUN step's, and goes unless --rm=false keeps it.
        flushImages(run, List.of());
        String containerId = creator.handle(new CreateContainer(Optional.empty(), parent.get().toString(),
                Optional.of(List.of("")), Optional.of(List.of("/bin/sh", "-c", "#(nop) " + description)), List.of(),
                config.workingDir(), Optional.of(config.user()), "", Map.of(), run.command.networkMode(), false, false,
                false, ContainerSpec.RestartPolicy.NO, Optional.empty(), Optional.empty(),
                ContainerSpec.ContainerLimits.NONE, ContainerSpec.ContainerSecurity.DEFAULT, Map.of(), Map.of(), false),
                run.context);
        String shortId = containerId.substring(0, 12);
        run.say(" ---> Running in " + shortId + "\n");
        ImportedImage image;
        try {
            image = committer.configStep(stage.image, config, createdBy, stage.image.author());
        } catch (RuntimeException e) {
            removeQuietly(run, containerId);
            throw e;
        }
        if (run.command.remove() || run.command.forceRemove()) {
            run.say("Removing intermediate container " + shortId + "\n");
            remover.handle(containerId, true, run.context);
        }
        made(run, stage, instruction, parent, image, createdBy);
    }

    private void removeQuietly(Run run, String containerId) {
        if (run.command.remove() || run.command.forceRemove()) {
            try {
                remover.handle(containerId, true, run.context);
            } catch (RuntimeException e) {
                // the failure the user reads is the step's, not the clean-up's
            }
        }
    }

    private void hit(Run run, Stage stage, Instruction instruction, Optional<Digest> parent, Digest cached) {
        run.say(" ---> Using cache\n");
        run.say(" ---> " + cached.shortHex() + "\n");
        stage.image = configOf(cached.toString());
        stage.imageId = Optional.of(cached);
        run.pendingSteps.add(new BuildStepFinished(run.buildId, run.step, instruction.original(), true,
                parent.map(Digest::toString).orElse(""), cached.toString()));
    }

    private void made(Run run, Stage stage, Instruction instruction, Optional<Digest> parent, ImportedImage image,
                      String createdBy) {
        String id = image.imageId().toString();
        configs.put(id, image.config());
        run.pendingImages.add(new ImageBuilt(id, image.diffIds().stream().map(Digest::toString).toList(),
                image.sizeBytes(), image.created(), parent.map(Digest::toString).orElse(""), createdBy, run.buildId));
        run.pendingSteps.add(new BuildStepFinished(run.buildId, run.step, instruction.original(), false,
                parent.map(Digest::toString).orElse(""), id));
        stage.image = image.config();
        stage.imageId = Optional.of(image.imageId());
        run.say(" ---> " + image.imageId().shortHex() + "\n");
    }

    /**
     * The image this step would make, if one exists: its history is the parent's plus one entry with the same
     * text, its layers the parent's (plus one unless {@code emptyLayer}), and its config {@code config}.
     */
    private Optional<Digest> probe(Run run, Stage stage, String createdBy, ContainerConfig config, boolean emptyLayer) {
        if (run.command.noCache()) {
            return Optional.empty();
        }
        ImageConfig parent = stage.image;
        List<ImageView> images = projections.read(p -> List.copyOf(p.images().all()));
        ImageView best = null;
        for (ImageView view : images) {
            ImageConfig candidate;
            try {
                candidate = configOf(view.id());
            } catch (RuntimeException e) {
                continue;
            }
            int n = parent.history().size();
            if (candidate.history().size() != n + 1 || !candidate.history().subList(0, n).equals(parent.history())) {
                continue;
            }
            HistoryEntry last = candidate.history().get(n);
            if (!last.createdBy().equals(createdBy) || !candidate.config().equals(config)) {
                continue;
            }
            int layers = parent.diffIds().size() + (last.emptyLayer() ? 0 : 1);
            if (candidate.diffIds().size() != layers
                    || !candidate.diffIds().subList(0, parent.diffIds().size()).equals(parent.diffIds())
                    || (emptyLayer && !last.emptyLayer())) {
                continue;
            }
            if (best == null || view.created().isAfter(best.created())) {
                best = view;
            }
        }
        return Optional.ofNullable(best).map(v -> Digest.parse(v.id()));
    }

    private ImageConfig configOf(String imageId) {
        return configs.computeIfAbsent(imageId, id -> store.config(Digest.parse(id)));
    }

    // ---- FROM

    private void from(Run run, Stage stage, Instruction instruction) {
        DockerfileWords words = new DockerfileWords(run.metaArgs::get, run.escape);
        String base = words.word(instruction.arguments().split("\\s+")[0]);
        Optional<Stage> named = run.stages.stream()
                .filter(s -> s.index < stage.index && !s.name.isEmpty() && s.name.equals(base.toLowerCase(Locale.ROOT)))
                .findFirst();
        if (base.equalsIgnoreCase("scratch")) {
            stage.image = ImageCommitter.SCRATCH;
            stage.imageId = Optional.empty();
            run.pendingSteps.add(new BuildStepFinished(run.buildId, run.step, instruction.original(), false, "", ""));
            return;
        }
        Digest id;
        if (named.isPresent()) {
            id = named.get().imageId.orElseThrow(() -> new StepFailed("stage " + base + " made no image", null));
        } else {
            id = Digest.parse(baseImage(run, base));
        }
        stage.imageId = Optional.of(id);
        stage.image = configOf(id.toString());
        // A base image built with SHELL passes its shell on to the steps of every child build.
        stage.shell = stage.image.config().shell().isEmpty() ? DEFAULT_SHELL : stage.image.config().shell();
        run.say(" ---> " + id.shortHex() + "\n");
        run.pendingSteps.add(new BuildStepFinished(run.buildId, run.step, instruction.original(), false, "", id.toString()));
        List<String> triggers = stage.image.config().onBuild();
        if (!triggers.isEmpty()) {
            // The child runs its parent's triggers, then carries none itself.
            run.say("# Executing " + triggers.size() + " build trigger" + (triggers.size() == 1 ? "" : "s") + "\n");
            stage.image = withConfig(stage.image, stage.image.config().withOnBuild(List.of()));
            for (String trigger : triggers) {
                Instruction triggered = instructionOf(trigger, instruction.line());
                dispatch(run, stage, triggered);
            }
        }
    }

    private static ImageConfig withConfig(ImageConfig image, ContainerConfig config) {
        return new ImageConfig(image.architecture(), image.os(), image.created(), image.author(), image.comment(), config,
                image.diffIds(), image.history());
    }

    private String baseImage(Run run, String typed) {
        ImageReference reference;
        try {
            reference = ImageReference.parse(typed);
        } catch (ImageException e) {
            throw new StepFailed(e.getMessage(), e);
        }
        Optional<ImageView> local = lookup.find(typed);
        if (local.isPresent() && !run.command.pull()) {
            return local.get().id();
        }
        if (puller.isPresent()) {
            try {
                return puller.get().pull(reference, run.out, run.context);
            } catch (EngineException e) {
                if (local.isPresent()) {
                    return local.get().id(); // --pull with no registry at hand: the local image still builds
                }
                throw new StepFailed(e.getMessage(), e);
            }
        }
        return local.map(ImageView::id).orElseThrow(() -> new StepFailed("No such image: " + reference.familiar(), null));
    }

    // ---- RUN

    private void runStep(Run run, Stage stage, Instruction instruction) {
        List<String> cmd = instruction.execForm().orElseGet(() -> {
            List<String> shell = new ArrayList<>(stage.shell);
            shell.add(instruction.arguments());
            return shell;
        });
        ContainerConfig config = stage.image.config();
        // Build args reach RUN as environment variables; ENV of the same name wins, as in Docker.
        Map<String, String> argEnv = new TreeMap<>();
        stage.args.forEach((k, v) -> {
            if (v != null && config.envValue(k).isEmpty()) {
                argEnv.put(k, v);
            }
        });
        run.command.buildArgs().forEach((k, v) -> {
            if (PROXY_ARGS.contains(k) && v.isPresent() && !stage.args.containsKey(k)) {
                argEnv.put(k, v.get());
            }
        });
        List<String> keyed = new ArrayList<>();
        argEnv.forEach((k, v) -> {
            if (!PROXY_ARGS.contains(k) || stage.args.containsKey(k)) {
                keyed.add(k + "=" + v);
            }
        });
        String createdBy = (keyed.isEmpty() ? "" : "|" + keyed.size() + " " + String.join(" ", keyed) + " ")
                + String.join(" ", cmd);
        Optional<Digest> parent = stage.imageId;
        Optional<Digest> cached = probe(run, stage, createdBy, config, false);
        if (cached.isPresent()) {
            hit(run, stage, instruction, parent, cached.get());
            return;
        }
        if (parent.isEmpty()) {
            throw new StepFailed("RUN needs files to run: the stage FROM scratch has no layers yet", null);
        }
        List<String> env = new ArrayList<>();
        argEnv.forEach((k, v) -> env.add(k + "=" + v));
        flushImages(run, List.of()); // the container's image must be in the projection
        String containerId = creator.handle(new CreateContainer(Optional.empty(), parent.get().toString(),
                Optional.of(List.of("")), Optional.of(cmd), env, config.workingDir(), Optional.of(config.user()), "",
                Map.of(), run.command.networkMode(), false, false, false, ContainerSpec.RestartPolicy.NO,
                Optional.empty(), Optional.empty(), ContainerSpec.ContainerLimits.NONE, ContainerSpec.ContainerSecurity.DEFAULT,
                Map.of(), Map.of(), false), run.context);
        String shortId = containerId.substring(0, 12);
        run.say(" ---> Running in " + shortId + "\n");
        boolean succeeded = false;
        try {
            CompletableFuture<ContainerWaits.Exit> exit = waits.register(projections, containerId, ContainerWaits.Condition.NEXT_EXIT);
            try {
                starter.handle(containerId, run.context);
            } catch (EngineException e) {
                throw new StepFailed(e.getMessage(), e);
            }
            // Docker's classic builder shows a step's stderr in red.
            new ContainerLogReader().follow(logPath.apply(containerId), true,
                    entry -> run.say(entry.stream() == LogEntry.Stream.STDERR
                            ? RED + entry.text() + RESET : entry.text()),
                    () -> !exit.isDone());
            int code = exit.get().exitCode();
            if (code != 0) {
                throw new StepFailed("The command '" + String.join(" ", cmd) + "' returned a non-zero code: " + code, null);
            }
            ImportedImage image = committer.commitBuildStep(storage, LayerId.of(containerId), stage.image, config,
                    createdBy, stage.image.author());
            succeeded = true;
            if (run.command.remove() || run.command.forceRemove()) {
                run.say("Removing intermediate container " + shortId + "\n");
                remover.handle(containerId, true, run.context);
            }
            made(run, stage, instruction, parent, image, createdBy);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailed("build interrupted", e);
        } catch (ExecutionException e) {
            throw new StepFailed("wait for container " + shortId + ": " + e.getCause().getMessage(), e);
        } finally {
            // A failed step leaves no container behind unless --rm=false asked to keep them.
            if (!succeeded) {
                removeQuietly(run, containerId);
            }
        }
    }

    // ---- COPY and ADD

    private void copy(Run run, Stage stage, Instruction instruction, Function<String, String> vars) {
        String keyword = instruction.keyword();
        DockerfileWords words = new DockerfileWords(vars::apply, run.escape);
        List<String> all = instruction.execForm().map(list -> list.stream().map(words::word).toList())
                .orElseGet(() -> words.words(instruction.arguments()));
        if (all.size() < 2) {
            throw ImageException.invalid(keyword + " requires at least two arguments, but only one was provided. Destination could not be determined.");
        }
        List<String> patterns = all.subList(0, all.size() - 1);
        String dest = all.get(all.size() - 1);
        for (String pattern : patterns) {
            if (pattern.startsWith("http://") || pattern.startsWith("https://")) {
                throw ImageException.invalid(keyword + " failed: " + pattern + ": ADD from a URL is not supported by this "
                        + "engine (it has no internet access); download the file into the build context and COPY it");
            }
        }
        Optional<String> chown = instruction.flag("chown").map(words::word);
        Optional<String> from = instruction.flag("from").map(words::word);
        Source source = sourceRoot(run, stage, from);
        try {
            CopySources sources = CopySources.match(source.root(), patterns, keyword);
            if (sources.several() && !dest.endsWith("/")) {
                throw ImageException.invalid("When using " + keyword + " with more than one source file, the destination "
                        + "must be a directory and end with a /");
            }
            String workdir = stage.image.config().workingDir().isEmpty() ? "/" : stage.image.config().workingDir();
            String absolute = dest.startsWith("/") ? dest : workdir + (workdir.endsWith("/") ? "" : "/") + dest;
            if ((dest.equals(".") || dest.endsWith("/.")) && !absolute.endsWith("/")) {
                absolute = absolute + "/";
            }
            String createdBy = "/bin/sh -c #(nop) " + keyword + (chown.map(c -> " --chown=" + c).orElse(""))
                    + (from.map(f -> " --from=" + f).orElse("")) + " " + sources.contentKey() + " in " + dest + " ";
            Optional<Digest> parent = stage.imageId;
            ContainerConfig config = stage.image.config();
            Optional<Digest> cached = probe(run, stage, createdBy, config, false);
            if (cached.isPresent()) {
                hit(run, stage, instruction, parent, cached.get());
                return;
            }
            LayerId layer = LayerId.of("build-" + java.util.UUID.randomUUID().toString().replace("-", ""));
            Path mount = scratch.resolve(layer.value());
            Optional<LayerId> top = stage.image.diffIds().isEmpty() ? Optional.empty()
                    : Optional.of(dev.tallyman.images.config.ChainIds.layerIds(stage.image.diffIds())
                    .get(stage.image.diffIds().size() - 1));
            storage.createWritable(layer, top);
            try {
                Files.createDirectories(mount);
                Mounts.mount(storage.mounts(layer), mount);
                try {
                    place(keyword, sources, absolute, absolute.endsWith("/") || sources.several(), mount, chown);
                } finally {
                    Mounts.unmount(mount);
                }
                ImportedImage image = committer.commitBuildStep(storage, layer, stage.image, config, createdBy,
                        stage.image.author());
                made(run, stage, instruction, parent, image, createdBy);
            } finally {
                try {
                    storage.remove(layer);
                    Files.deleteIfExists(mount);
                } catch (RuntimeException | IOException e) {
                    // best effort: the layer has no image and the next build does not see it
                }
            }
        } catch (IOException e) {
            throw new StepFailed(keyword + " failed: " + e.getMessage(), e);
        } finally {
            source.close();
        }
    }

    /** The files a COPY reads from: the context, or a stage's or image's root mounted for the step. */
    private record Source(Path root, Runnable cleanup) implements AutoCloseable {
        @Override
        public void close() {
            cleanup.run();
        }
    }

    private Source sourceRoot(Run run, Stage stage, Optional<String> from) {
        if (from.isEmpty()) {
            return new Source(run.command.context().root(), () -> { });
        }
        String name = from.get();
        Optional<Digest> image = Optional.empty();
        for (Stage s : run.stages) {
            if (s.index < stage.index && (s.name.equals(name.toLowerCase(Locale.ROOT)) || String.valueOf(s.index).equals(name))) {
                image = s.imageId;
                if (image.isEmpty()) {
                    return new Source(emptyFolder(), () -> { });
                }
            }
        }
        if (image.isEmpty()) {
            image = Optional.of(Digest.parse(baseImage(run, name)));
        }
        ImageConfig config = configOf(image.get().toString());
        LayerId layer = LayerId.of("build-from-" + java.util.UUID.randomUUID().toString().replace("-", ""));
        Path mount = scratch.resolve(layer.value());
        Optional<LayerId> top = config.diffIds().isEmpty() ? Optional.empty()
                : Optional.of(dev.tallyman.images.config.ChainIds.layerIds(config.diffIds()).get(config.diffIds().size() - 1));
        storage.createWritable(layer, top);
        try {
            Files.createDirectories(mount);
            Mounts.mount(storage.mounts(layer), mount);
        } catch (IOException e) {
            storage.remove(layer);
            throw new StepFailed("mount --from=" + name + ": " + e.getMessage(), e);
        }
        return new Source(mount, () -> {
            try {
                Mounts.unmount(mount);
                storage.remove(layer);
                Files.deleteIfExists(mount);
            } catch (IOException | RuntimeException e) {
                // best effort
            }
        });
    }

    private Path emptyFolder() {
        try {
            Files.createDirectories(scratch);
            return Files.createTempDirectory(scratch, "build-empty-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Puts the sources in place under the mounted layer: a folder's content into the destination folder, a
     * file into it under its own name (or as the destination when that names a file), a local tar archive
     * (ADD) unpacked into the destination. Ownership is root's, or --chown's as the image's passwd reads it.
     */
    private void place(String keyword, CopySources sources, String dest, boolean destIsFolder, Path root,
                       Optional<String> chown) throws IOException {
        Optional<int[]> owner = Optional.of(chown.isPresent() ? ContainerUsers.ids(root, chown.get()) : new int[] {0, 0});
        ScopedPath target = ScopedPath.resolve(root, dest, true);
        boolean existingFolder = Files.isDirectory(target.host());
        for (CopySources.Source source : sources.sources()) {
            boolean folder = Files.isDirectory(source.path());
            if (keyword.equals("ADD") && !folder && isArchive(source.path())) {
                Files.createDirectories(target.host());
                try (InputStream in = Compression.decompress(Files.newInputStream(source.path()))) {
                    new ArchiveExtractor(root, target.container(), false, chown.isPresent() ? owner : Optional.empty()).extract(in);
                }
                continue;
            }
            String into;
            String fileName;
            if (folder || destIsFolder || existingFolder) {
                into = target.container();
                fileName = source.path().getFileName().toString();
            } else {
                into = parentOf(target.container());
                fileName = target.container().substring(target.container().lastIndexOf('/') + 1);
            }
            Files.createDirectories(ScopedPath.resolve(root, into, true).host());
            Path tar = Files.createTempFile(scratch, "copy-", ".tar");
            try {
                try (OutputStream out = Files.newOutputStream(tar)) {
                    CopySources.writeTar(source, fileName, out);
                }
                try (InputStream in = Files.newInputStream(tar)) {
                    new ArchiveExtractor(root, into, false, owner).extract(in);
                }
            } finally {
                Files.deleteIfExists(tar);
            }
        }
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** A tar, plain or compressed, as Docker's ADD tells one: by its magic bytes, not its name. */
    private static boolean isArchive(Path file) throws IOException {
        byte[] head;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            head = in.readNBytes(512);
        }
        if (Compression.detect(head) != Compression.NONE) {
            return true;
        }
        return head.length >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    }

    // ---- words

    /** Go's %q of a string slice: {@code ["/bin/sh" "-c" "echo hi"]}. */
    static String goQuoted(List<String> items) {
        return "[" + String.join(" ", items.stream().map(BuildImageHandler::goQuote).toList()) + "]";
    }

    static String goQuote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }
}
