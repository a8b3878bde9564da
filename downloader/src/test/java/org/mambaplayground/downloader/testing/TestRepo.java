package org.mambaplayground.downloader.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A repository on the {@link TestHub}: files at one commit reachable from branch "main" (and others). */
public final class TestRepo {

    /** One file's bytes and hashes; large files are served from disk. */
    public static final class Blob {
        final String path;
        final boolean lfs;
        final long size;
        final byte[] bytes;      // or
        final Path file;         // or neither for a listed-only (virtual) file
        final String sha256;
        final String gitOid;
        volatile long corruptAt = -1;
        final java.util.concurrent.ConcurrentSkipListSet<Long> drops = new java.util.concurrent.ConcurrentSkipListSet<>();
        final Map<Long, Long> stalls = new ConcurrentHashMap<>();

        /** Takes the first planned connection drop strictly inside (from, to), or -1. */
        long takeDrop(long from, long to) {
            Long d = drops.higher(from);
            if (d == null || d >= to || !drops.remove(d)) return -1;
            return d;
        }

        /** Takes the first planned stall in [from, to): {offset, millis}, or null. */
        synchronized long[] takeStall(long from, long to) {
            for (var e : new java.util.TreeMap<>(stalls).entrySet()) {
                if (e.getKey() >= from && e.getKey() < to) {
                    stalls.remove(e.getKey());
                    return new long[] {e.getKey(), e.getValue()};
                }
            }
            return null;
        }

        Blob(String path, boolean lfs, long size, byte[] bytes, Path file, String sha256, String gitOid) {
            this.path = path;
            this.lfs = lfs;
            this.size = size;
            this.bytes = bytes;
            this.file = file;
            this.sha256 = sha256;
            this.gitOid = gitOid;
        }

        public String sha256() {
            return sha256;
        }

        public long size() {
            return size;
        }

        InputStream open(long offset) throws IOException {
            InputStream in;
            if (bytes != null) {
                in = new java.io.ByteArrayInputStream(bytes, (int) offset, (int) (size - offset));
            } else if (file != null) {
                in = Files.newInputStream(file);
                in.skipNBytes(offset);
            } else {
                throw new IOException("virtual file " + path + " has no bytes");
            }
            long corrupt = corruptAt;
            if (corrupt < offset) return in;
            return new java.io.FilterInputStream(in) {
                long pos = offset;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0 && corrupt >= pos && corrupt < pos + n) b[off + (int) (corrupt - pos)] ^= 0x5A;
                    if (n > 0) pos += n;
                    return n;
                }
            };
        }
    }

    final String id;
    final String commit;
    final Map<String, Blob> files = new LinkedHashMap<>();
    final Map<String, String> branches = new ConcurrentHashMap<>();
    final Set<String> grantedTokens = ConcurrentHashMap.newKeySet();
    volatile boolean gated;
    volatile int treePageSize = 1000;

    TestRepo(String id) {
        this.id = id;
        this.commit = sha1Hex(("commit of " + id).getBytes(StandardCharsets.UTF_8));
        branches.put("main", commit);
    }

    public String id() {
        return id;
    }

    public String commit() {
        return commit;
    }

    /** A plain git file, served by the hub itself (ETag = git blob sha1). */
    public TestRepo file(String path, String text) {
        return file(path, text.getBytes(StandardCharsets.UTF_8));
    }

    public TestRepo file(String path, byte[] content) {
        put(new Blob(path, false, content.length, content, null, null, gitOid(content)));
        return this;
    }

    /** An LFS file: the hub answers with a 302 to the CDN and X-Linked-Etag = sha256. */
    public TestRepo lfsFile(String path, byte[] content) {
        put(new Blob(path, true, content.length, content, null, sha256Hex(content), gitOid(pointer(content.length))));
        return this;
    }

    /** An LFS file served from disk (large benchmark files). Hashes the file once. */
    public TestRepo lfsFile(String path, Path content) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(content)) {
                byte[] buf = new byte[1 << 20];
                int n;
                while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            }
            long size = Files.size(content);
            put(new Blob(path, true, size, null, content, HexFormat.of().formatHex(md.digest()), gitOid(pointer(size))));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Listed with this size and hash but never served: for free-space checks with sizes no disk has. */
    public TestRepo virtualLfsFile(String path, long size, String sha256) {
        put(new Blob(path, true, size, null, null, sha256, gitOid(pointer(size))));
        return this;
    }

    /** Serve this file with the byte at {@code offset} altered (the listing keeps the true hash). */
    public TestRepo corruptByteAt(String path, long offset) {
        blob(path).corruptAt = offset;
        return this;
    }

    /** Close the connection once, after sending the bytes before each offset (each offset is used once). */
    public TestRepo dropConnectionAt(String path, long... offsets) {
        for (long o : offsets) blob(path).drops.add(o);
        return this;
    }

    /** Stop sending for {@code millis} once, on reaching {@code offset}, keeping the connection open. */
    public TestRepo stallAt(String path, long offset, long millis) {
        blob(path).stalls.put(offset, millis);
        return this;
    }

    /** Delete a file from the repository (listings made before still name it). */
    public synchronized TestRepo remove(String path) {
        files.remove(path);
        return this;
    }

    public TestRepo gated(boolean gated) {
        this.gated = gated;
        return this;
    }

    /** This token has accepted the licence of the gated repository. */
    public TestRepo grant(String token) {
        grantedTokens.add(token);
        return this;
    }

    public TestRepo treePageSize(int n) {
        this.treePageSize = n;
        return this;
    }

    public Blob blob(String path) {
        Blob b = files.get(path);
        if (b == null) throw new IllegalArgumentException("no file " + path + " in " + id);
        return b;
    }

    private synchronized void put(Blob b) {
        files.put(b.path, b);
    }

    private static byte[] pointer(long size) {
        return ("version https://git-lfs.github.com/spec/v1\nsize " + size + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static String gitOid(byte[] content) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256Hex(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha1Hex(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
