package org.mambaplayground.assets;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The built-in demo models: each folder under {@code org/mambaplayground/assets/demo/} holding a
 * {@code params.json}. Memory-mapping needs real files, so inside a jar they are copied to a cache folder
 * on first use (and again when a file's content changed).
 */
public final class DemoModels {
    static final String ROOT = "demo";
    /** Optional one-paragraph description a demo folder may carry. */
    public static final String ABOUT_FILE = "ABOUT.md";

    private DemoModels() {}

    /** A demo model ready to open: {@code folder} is a real directory. */
    public record DemoModel(String name, Path folder, String about) {}

    /** Finds the bundled demo models, extracting them under {@code cacheDir/demo} when they are in a jar. */
    public static List<DemoModel> locate(Path cacheDir) {
        URL url = DemoModels.class.getResource(ROOT);
        return url == null ? List.of() : locate(url, cacheDir);
    }

    /** Finds demo model folders under {@code root} (a file: or jar: URL of a directory). */
    public static List<DemoModel> locate(URL url, Path cacheDir) {
        try {
            URI uri = url.toURI();
            if ("file".equals(uri.getScheme())) return scan(Path.of(uri), null);
            if ("jar".equals(uri.getScheme())) {
                FileSystem owned = null;
                FileSystem jar;
                try {
                    jar = owned = FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException e) {
                    jar = FileSystems.getFileSystem(uri); // someone else's: use it, do not close it
                }
                try {
                    return scan(jar.provider().getPath(uri), cacheDir.resolve(ROOT));
                } finally {
                    if (owned != null) owned.close();
                }
            }
            throw new IllegalStateException("Demo models at an unsupported location: " + uri);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("Bad demo model location " + url, e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the demo models in " + cacheDir.resolve(ROOT) + ": " + e.getMessage(), e);
        }
    }

    private static List<DemoModel> scan(Path root, Path extractTo) throws IOException {
        List<DemoModel> found = new ArrayList<>();
        List<Path> folders;
        try (Stream<Path> children = Files.list(root)) {
            folders = children.filter(Files::isDirectory)
                    .filter(d -> Files.exists(d.resolve("params.json")))
                    .sorted(Comparator.comparing(d -> d.getFileName().toString()))
                    .toList();
        }
        for (Path folder : folders) {
            String name = stripSlash(folder.getFileName().toString());
            Path real = extractTo == null ? folder : extract(folder, extractTo.resolve(name));
            found.add(new DemoModel(name, real, readAbout(real)));
        }
        return found;
    }

    /**
     * Copies each file to a temporary name of its own and renames it into place atomically, so two processes
     * starting at once on a fresh cache never share a half-written file; a twin that finished first is fine.
     */
    private static Path extract(Path source, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path out = target.resolve(stripSlash(file.getFileName().toString()));
                // same content: keep it (it may be mapped); a retrained model of the same size must replace it
                if (sameContent(out, file)) continue;
                Path partial = Files.createTempFile(target, out.getFileName() + ".", ".partial");
                try {
                    try (InputStream in = Files.newInputStream(file)) {
                        Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    if (!sameContent(out, file)) throw e; // e.g. Windows refuses to replace a file a twin has open
                } finally {
                    Files.deleteIfExists(partial);
                }
            }
        }
        return target;
    }

    private static boolean sameContent(Path extracted, Path bundled) throws IOException {
        return Files.isRegularFile(extracted) && Files.size(extracted) == Files.size(bundled) && Files.mismatch(extracted, bundled) == -1;
    }

    private static String readAbout(Path folder) throws IOException {
        Path about = folder.resolve(ABOUT_FILE);
        return Files.exists(about) ? Files.readString(about).strip() : "";
    }

    private static String stripSlash(String name) {
        return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }
}
