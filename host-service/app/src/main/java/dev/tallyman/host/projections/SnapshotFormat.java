package dev.tallyman.host.projections;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * How the projections' state is written into a snapshot: the fields of {@link Projections} and of each
 * projection it holds, as they are, in JSON (gzip), read back into fresh projections. Fields, not a hand-kept
 * list of them: a field someone adds to a projection is in the snapshot without anyone remembering to add it.
 *
 * <p>The {@link #FORMAT} names a version and a fingerprint of the shape of the state (every field's and record
 * component's name and type, down to the leaves). A change to any projection or view changes the fingerprint,
 * so a snapshot written by an older build is ignored rather than read into a state it does not fit. Bump
 * {@link #VERSION} when the encoding itself changes.
 *
 * <p>Maps keep their order: JSON objects are written in iteration order and read back into the very map
 * instances a fresh projection holds (a {@code TreeMap} stays sorted, a {@code LinkedHashMap} keeps the order
 * containers were created in, which {@code docker ps} shows).
 */
public final class SnapshotFormat {
    /** The encoding's version; the shape of the state is in the fingerprint. */
    public static final int VERSION = 1;
    public static final String FORMAT = VERSION + "/" + fingerprint(Projections.class);

    private static final ObjectMapper MAPPER = JsonMapper.builder(new com.fasterxml.jackson.core.JsonFactoryBuilder()
                    // Map keys are field names to the parser: a state holds a hundred thousand distinct container
                    // ids, and keeping each in the parser's symbol table made reading a snapshot five times slower.
                    .disable(com.fasterxml.jackson.core.JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                    .build())
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            // a field the state has and this build does not is a different shape: refuse, do not drop it
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .visibility(PropertyAccessor.ALL, Visibility.NONE)
            .visibility(PropertyAccessor.FIELD, Visibility.ANY)
            // read into the maps a fresh projection already holds, keeping their kind
            .defaultMergeable(true)
            .build();

    private SnapshotFormat() {
    }

    /** The state as stored. Call on a {@link #copy} or under the projections' lock. */
    public static byte[] write(Projections state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        try (OutputStream gzip = new GZIPOutputStream(bytes, 1 << 16)) {
            MAPPER.writeValue(gzip, state);
        } catch (IOException e) {
            throw new IllegalStateException("write snapshot at " + state.position() + ": " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /**
     * Fresh projections holding the state; they fold further events as if they had folded everything before.
     *
     * @throws IllegalArgumentException naming what did not fit when the bytes are not a state of this format
     */
    public static Projections read(byte[] stored) {
        Projections fresh = new Projections();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(stored), 1 << 16)) {
            MAPPER.readerForUpdating(fresh).readValue(in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("read snapshot: " + e.getMessage(), e);
        }
        return fresh;
    }

    /**
     * A copy that later folds into {@code live} do not change: the projections' own maps and sets are copied,
     * the views in them are immutable records and shared. Cheap next to writing the state, so a snapshot holds
     * the projections' lock only for this and writes the copy outside it. Call under the lock
     * ({@code projections.read(SnapshotFormat::copy)}).
     */
    public static Projections copy(Projections live) {
        return (Projections) copyObject(live);
    }

    private static Object copyObject(Object source) {
        Class<?> type = source.getClass();
        try {
            var constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            Object target = constructor.newInstance();
            for (Field field : stateFields(type)) {
                field.setAccessible(true);
                field.set(target, copyValue(field.get(source), type.getSimpleName() + "." + field.getName()));
            }
            return target;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("copy projection " + type.getSimpleName() + ": " + e, e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object copyValue(Object value, String where) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Enum<?> || value instanceof java.time.temporal.Temporal
                || value.getClass().isRecord()) {
            return value; // immutable
        }
        if (value instanceof TreeMap m) {
            return new TreeMap((SortedMap) m);
        }
        if (value instanceof LinkedHashMap m) {
            return new LinkedHashMap(m);
        }
        if (value instanceof HashMap m) {
            return new HashMap(m);
        }
        if (value instanceof TreeSet s) {
            return new TreeSet((SortedSet) s);
        }
        if (value instanceof LinkedHashSet s) {
            return new LinkedHashSet(s);
        }
        if (value instanceof HashSet s) {
            return new HashSet(s);
        }
        if (value instanceof ArrayList l) {
            return new ArrayList(l);
        }
        if (unmodifiable(value)) {
            return value;
        }
        if (value.getClass().getPackage() == Projections.class.getPackage()) {
            return copyObject(value);
        }
        // A kind of state this copy does not know: fail loudly (the snapshot test does) rather than share it.
        throw new IllegalStateException("copy projection field " + where + ": no copy for " + value.getClass().getName());
    }

    private static boolean unmodifiable(Object value) {
        String name = value.getClass().getName();
        return name.startsWith("java.util.ImmutableCollections$") || name.startsWith("java.util.Collections$Unmodifiable")
                || name.startsWith("java.util.Collections$Empty") || name.startsWith("java.util.Collections$Singleton");
    }

    private static List<Field> stateFields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (!Modifier.isStatic(modifiers) && !Modifier.isTransient(modifiers) && !field.isSynthetic()) {
                fields.add(field);
            }
        }
        return fields;
    }

    /** A digest of the shape of the state: every field and record component, by name and generic type. */
    static String fingerprint(Class<?> root) {
        StringBuilder shape = new StringBuilder();
        describe(root, shape, new HashSet<>());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(shape.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("fingerprint snapshot format: no SHA-256 in this JVM", e);
        }
    }

    /** The shape as text, for the fingerprint and for a reader wondering why it changed. */
    static String shape(Class<?> root) {
        StringBuilder shape = new StringBuilder();
        describe(root, shape, new HashSet<>());
        return shape.toString();
    }

    private static void describe(Type type, StringBuilder out, Set<Class<?>> seen) {
        if (type instanceof ParameterizedType p) {
            describe(p.getRawType(), out, seen);
            for (Type argument : p.getActualTypeArguments()) {
                describe(argument, out, seen);
            }
            return;
        }
        if (type instanceof WildcardType w) {
            for (Type bound : w.getUpperBounds()) {
                describe(bound, out, seen);
            }
            return;
        }
        if (type instanceof GenericArrayType a) {
            describe(a.getGenericComponentType(), out, seen);
            return;
        }
        if (!(type instanceof Class<?> c)) {
            out.append(type.getTypeName()).append(';');
            return;
        }
        if (!seen.add(c)) {
            return;
        }
        out.append(c.getName());
        if (c.isEnum()) {
            out.append(List.of(c.getEnumConstants()));
        }
        out.append('{');
        if (c.isRecord()) {
            for (RecordComponent component : c.getRecordComponents()) {
                out.append(component.getName()).append(':').append(component.getGenericType().getTypeName()).append(';');
                describe(component.getGenericType(), out, seen);
            }
        } else if (c.getPackage() == Projections.class.getPackage() && !c.isEnum() && !c.isInterface()) {
            for (Field field : stateFields(c)) {
                out.append(field.getName()).append(':').append(field.getGenericType().getTypeName()).append(';');
                describe(field.getGenericType(), out, seen);
            }
        }
        out.append('}');
    }
}
