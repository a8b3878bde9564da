package org.mambaplayground.downloader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The model folder on disk, in huggingface_hub's local_dir layout so both tools recognise each other's work:
 * <pre>
 * dir/config.json                                   the files themselves, no symlinks
 * dir/.cache/huggingface/download/config.json.metadata   commit, etag, unix time: the file is complete and verified
 * dir/.cache/huggingface/download/config.json.lock       OS lock held while a process writes the file
 * dir/.cache/huggingface/download/x.bin.{etag}.part      bytes received so far; the etag in the name ties
 *                                                         a part to one content, so a part is never resumed
 *                                                         against another version of the file
 * </pre>
 */
final class LocalFolder {

    record Metadata(String commit, String etag, double timestamp) {}

    private final Path dir;
    private final Path download;

    LocalFolder(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        this.download = this.dir.resolve(".cache").resolve("huggingface").resolve("download");
    }

    Path dir() {
        return dir;
    }

    Path file(String rel) {
        return inside(dir, rel);
    }

    Path metadata(String rel) {
        return inside(download, rel + ".metadata");
    }

    Path lock(String rel) {
        return inside(download, rel + ".lock");
    }

    Path part(RepoFile f) {
        return inside(download, f.path() + "." + f.etag() + ".part");
    }

    private static Path inside(Path base, String rel) {
        Path p = base.resolve(rel).normalize();
        if (!p.startsWith(base)) throw new IllegalArgumentException("path escapes the model folder: " + rel);
        return p;
    }

    /** Complete means: metadata names this content, the file has its size and was not touched since. */
    boolean isComplete(RepoFile f) {
        Metadata m = readMetadata(f.path());
        if (m == null || !m.etag().equalsIgnoreCase(f.etag())) return false;
        Path file = file(f.path());
        try {
            if (!Files.isRegularFile(file) || Files.size(file) != f.size()) return false;
            double mtime = Files.getLastModifiedTime(file).toMillis() / 1000.0;
            return mtime - 1 <= m.timestamp();
        } catch (IOException e) {
            return false;
        }
    }

    /** Part files of this path left for other contents (an older revision): they can never be resumed. */
    void deleteStaleParts(RepoFile f) {
        Path current = part(f);
        String prefix = current.getFileName().toString().substring(0, current.getFileName().toString().length()
                - (f.etag() + ".part").length());
        try (var siblings = Files.list(current.getParent())) {
            for (Path p : siblings.toList()) {
                String name = p.getFileName().toString();
                if (!p.equals(current) && name.startsWith(prefix) && name.endsWith(".part")
                        && name.substring(prefix.length(), name.length() - 5).matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            // Only housekeeping.
        }
    }

    long partSize(RepoFile f) {
        try {
            Path p = part(f);
            return Files.isRegularFile(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    Metadata readMetadata(String rel) {
        try {
            Path p = metadata(rel);
            if (!Files.isRegularFile(p)) return null;
            List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
            if (lines.size() < 3) return null;
            return new Metadata(lines.get(0).trim(), lines.get(1).trim(), Double.parseDouble(lines.get(2).trim()));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Written after the file is in place, so its timestamp is not older than the file. */
    void writeMetadata(String rel, String commit, String etag) throws IOException {
        String now = String.valueOf(System.currentTimeMillis() / 1000.0);
        Listings.writeAtomically(metadata(rel), commit + "\n" + etag + "\n" + now + "\n");
    }

    /** Marks the bookkeeping folder as a cache that git and backup tools should skip. */
    void prepare() throws IOException {
        Files.createDirectories(download);
        Path hf = download.getParent();
        Path gitignore = hf.resolve(".gitignore");
        if (!Files.exists(gitignore)) Files.writeString(gitignore, "*\n");
        Path tag = hf.resolve("CACHEDIR.TAG");
        if (!Files.exists(tag)) {
            Files.writeString(tag, "Signature: 8a477f597d28d172789f06886806bc55\n"
                    + "# This file is a cache directory tag created by Mamba Playground's downloader.\n");
        }
    }
}
