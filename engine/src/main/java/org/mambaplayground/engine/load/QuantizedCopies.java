package org.mambaplayground.engine.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.mambaplayground.engine.io.gguf.GgufFile;
import org.mambaplayground.engine.model.ModelFormatException;
import org.mambaplayground.engine.tensor.format.WeightFormat;

/**
 * Where the quantized copy of a model folder lives and whether it is current. Copies go to a cache folder beside
 * the model folder ({@code .mamba-cache} next to it, or {@code $MAMBA_CACHE}, or a folder the caller names), never
 * into the user's folder. A copy is used only when it opens as a complete GGUF file and records the same source
 * size and modification time, precision and converter version; anything else is deleted and rebuilt.
 */
public final class QuantizedCopies {
    public static final String CACHE_ENV = "MAMBA_CACHE";
    public static final String CACHE_FOLDER = ".mamba-cache";

    private QuantizedCopies() {}

    /** The cache folder for a model folder: {@code $MAMBA_CACHE} if set, else {@code .mamba-cache} beside it. */
    public static Path defaultCacheDir(Path modelFolder) {
        String env = System.getenv(CACHE_ENV);
        if (env != null && !env.isBlank()) return Path.of(env);
        Path parent = modelFolder.toAbsolutePath().normalize().getParent();
        return (parent == null ? modelFolder.toAbsolutePath() : parent).resolve(CACHE_FOLDER);
    }

    /** The copy of {@code modelFolder} at {@code precision} in {@code cacheDir}: {@code <folder name>.<precision>.gguf}. */
    public static Path fileFor(Path modelFolder, WeightFormat precision, Path cacheDir) {
        Path name = modelFolder.toAbsolutePath().normalize().getFileName();
        return cacheDir.resolve((name == null ? "model" : name.toString()) + "." + precision.name().toLowerCase(Locale.ROOT) + ".gguf");
    }

    /** The identity of the checkpoint file a copy is made from. */
    static GgufConverter.Source sourceOf(Path weightsFile) {
        try {
            return new GgufConverter.Source(Files.size(weightsFile), Files.getLastModifiedTime(weightsFile).toMillis());
        } catch (IOException e) {
            throw new ModelFormatException(weightsFile, "cannot read: " + e.getMessage(), e);
        }
    }

    /** The copy, opened, when it is current; null (after deleting it) when it is stale, broken or half-written. */
    static GgufFile openIfCurrent(Path copy, GgufConverter.Source source, WeightFormat precision) {
        if (!Files.isRegularFile(copy)) return null;
        GgufFile g;
        try {
            g = GgufFile.open(copy);
        } catch (ModelFormatException e) {
            deleteQuietly(copy);
            return null;
        }
        try {
            boolean current = g.has(GgufConverter.VERSION_KEY) && g.integer(GgufConverter.VERSION_KEY) == GgufConverter.VERSION
                    && g.has(GgufConverter.PRECISION_KEY) && g.string(GgufConverter.PRECISION_KEY).equals(precision.name())
                    && g.has(GgufConverter.SOURCE_SIZE_KEY) && g.integer(GgufConverter.SOURCE_SIZE_KEY) == source.size()
                    && g.has(GgufConverter.SOURCE_MTIME_KEY) && g.integer(GgufConverter.SOURCE_MTIME_KEY) == source.modifiedMillis();
            if (current) return g;
        } catch (ModelFormatException e) {
            // a key of the wrong type: not ours, or damaged; rebuilt below
        }
        g.close();
        deleteQuietly(copy);
        return null;
    }

    /** Creates the cache folder, or says clearly why it cannot be written. */
    static void prepareDir(Path cacheDir, long bytesNeeded) {
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new ModelFormatException(cacheDir, "cannot create the cache folder for converted models: " + e.getMessage()
                    + " (choose another with " + CACHE_ENV + ")", e);
        }
        if (!Files.isWritable(cacheDir)) {
            throw new ModelFormatException(cacheDir, "the cache folder for converted models is not writable (choose another with " + CACHE_ENV + ")");
        }
        try {
            long free = Files.getFileStore(cacheDir).getUsableSpace();
            if (free < bytesNeeded) {
                throw new ModelFormatException(cacheDir, "not enough free disk space for the converted model: it needs "
                        + org.mambaplayground.engine.model.Sizes.bytes(bytesNeeded) + ", " + org.mambaplayground.engine.model.Sizes.bytes(free) + " are free");
            }
        } catch (IOException e) {
            // cannot tell: the write itself will report a full disk
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the rebuild overwrites it anyway
        }
    }
}
