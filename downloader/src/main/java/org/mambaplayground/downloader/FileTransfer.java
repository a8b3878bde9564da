package org.mambaplayground.downloader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okio.BufferedSource;
import org.mambaplayground.downloader.DownloadPlan.PlannedFile;
import org.mambaplayground.downloader.DownloadPlan.Status;
import org.mambaplayground.downloader.HubException.Kind;

/**
 * Brings one file into the model folder: lock, resume the part file with Range requests, retry dropped or
 * stalled connections with back-off, verify (hashed in the background as it grows), sync, then move into place
 * and write metadata.
 * A file is complete only once its metadata exists, and that is written after verification and the move.
 */
final class FileTransfer {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    /**
     * 16 KiB writes, as curl makes. With 64 KiB writes the kernel sometimes spent three times the system time per
     * byte in the page cache (every other 2 GiB round on loopback); 16 KiB measured steady (tools/bench-download.sh).
     */
    private static final int BUFFER = 16 << 10;

    private final DownloadRun run;
    private final FileState state;
    private final PlannedFile planned;
    private final RepoFile file;
    private final HubHttp http;
    private final LocalFolder local;
    private final Control control;
    private final String what;
    /** Bytes of the part file that are written and hashed: where the next Range request starts. */
    private long have;
    private Verifier verifier;

    FileTransfer(DownloadRun run, FileState state, PlannedFile planned) {
        this.run = run;
        this.state = state;
        this.planned = planned;
        this.file = planned.file();
        this.http = run.http();
        this.local = run.local();
        this.control = run.control();
        this.what = "file " + file.path() + " of " + run.repoId();
    }

    void transfer() throws HubException {
        Path lockFile = local.lock(file.path());
        try {
            Files.createDirectories(lockFile.getParent());
            Files.createDirectories(local.file(file.path()).getParent());
        } catch (IOException e) {
            throw localIo("cannot create folder for " + file.path(), e);
        }
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = acquire(lockChannel)) {
            if (local.isComplete(file)) {
                refreshCommit();
                state.setBytes(file.size());
                return;
            }
            local.deleteStaleParts(file);
            if (planned.status() == Status.UNVERIFIED && adopt(local.file(file.path()))) return;
            if (planned.source() != null && local.partSize(file) == 0 && copyFromCache(planned.source())) return;
            download();
        } catch (IOException e) {
            if (e instanceof HubException he) throw he;
            throw localIo("cannot lock " + lockFile, e);
        }
    }

    /** Same content at a newer commit: record the commit, as huggingface_hub does. */
    private void refreshCommit() throws HubException {
        LocalFolder.Metadata m = local.readMetadata(file.path());
        if (m != null && !m.commit().equals(run.commit())) {
            try {
                local.writeMetadata(file.path(), run.commit(), file.etag());
            } catch (IOException e) {
                throw localIo("cannot update the metadata of " + file.path(), e);
            }
        }
    }

    /** Waits for the OS lock: another process (or another download in this one) may be writing the file. */
    private FileLock acquire(FileChannel channel) throws IOException {
        boolean announced = false;
        while (true) {
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) return lock;
            } catch (OverlappingFileLockException busyInThisJvm) {
                // Same as a lock held by another process.
            }
            if (!announced) {
                run.phase(state, Phase.WAITING_FOR_LOCK, "another download is writing this file; waiting for it");
                announced = true;
            }
            control.sleep(Duration.ofMillis(200));
        }
    }

    /** A file already there without metadata: keep it if it hashes right. */
    private boolean adopt(Path existing) throws HubException {
        try (Verifier v = verifier(null)) {
            if (v == null) return false;
            run.phase(state, Phase.VERIFYING, "checking the file already in the folder");
            verify(v, existing, Files.size(existing));
            if (!v.matches()) return false;
        } catch (IOException e) {
            return false;
        }
        finish(null);
        return true;
    }

    /** Reuses huggingface_hub's cache: copy into the part file, then verify as usual. */
    private boolean copyFromCache(Path source) throws HubException {
        Verifier v = verifier(null);
        if (v == null) return false;
        run.phase(state, Phase.DOWNLOADING, "copying from the Hugging Face cache " + source);
        Path part = local.part(file);
        try (InputStream in = Files.newInputStream(source);
             FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                control.checkpoint();
                write(out, buf, n);
                state.addBytes(n, false);
            }
            run.phase(state, Phase.VERIFYING, "checking the copy");
            verify(v, part, file.size());
        } catch (IOException e) {
            if (e instanceof HubException he) throw he;
            deleteQuietly(part);
            state.setBytes(0);
            return false;
        } finally {
            v.close();
        }
        if (!v.matches()) {
            deleteQuietly(part);
            state.setBytes(0);
            return false;
        }
        finish(part);
        return true;
    }

    private void download() throws HubException {
        Path part = local.part(file);
        HttpUrl resolveUrl = run.resolveUrl(file);
        HttpUrl direct = null;  // where the resolve URL redirected to (the CDN), reused for retries
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            have = out.size();
            if (have > file.size()) {
                out.truncate(0);
                have = 0;
            }
            useVerifier(verifier(null), part);
            state.setBytes(have);
            int failures = 0;
            while (have < file.size()) {
                control.checkpoint();
                run.phase(state, Phase.CONNECTING, have > 0 ? "resuming at " + Bytes.format(have) : "");
                HttpUrl url = direct != null ? direct : resolveUrl;
                var request = http.get(url).header("Range", "bytes=" + have + "-").build();
                long before = have;
                try (HubHttp.Exchange ex = http.send(request, control, (why, wait) -> run.phase(state, Phase.RETRYING, why), what,
                        run.answeredOnce())) {
                    run.markAnswered();
                    int code = ex.response().code();
                    boolean fromCdn = !http.isHubOrigin(ex.url());
                    if (code == 416) {
                        // Nothing left to send from here: our part is complete or foreign. Start over.
                        if (++failures >= http.retry.attemptsWithoutProgress()) throw unexpected(ex, "416 at " + have);
                        restart(out, ex.linkedEtag(), part);
                        continue;
                    }
                    if (fromCdn && direct != null && (code == 401 || code == 403 || code == 404 || code == 410)) {
                        direct = null;  // the signed URL expired: ask the hub for a fresh one
                        if (++failures >= http.retry.attemptsWithoutProgress()) throw unexpected(ex, "CDN refused");
                        continue;
                    }
                    if (code != 200 && code != 206) {
                        throw HubErrors.fromResponse(ex.response(), run.endpoint(), run.repoId(), what,
                                http.sendsToken() && !fromCdn, http.giveToken);
                    }
                    direct = ex.url();
                    if (code == 200 && have > 0) {
                        restart(out, ex.linkedEtag(), part);  // the server ignored Range: the body starts at byte 0
                    } else if (code == 206 && rangeStart(ex.response().header("Content-Range")) != have) {
                        throw unexpected(ex, "Content-Range " + ex.response().header("Content-Range")
                                + " for a request from byte " + have);
                    }
                    if (verifier == null) useVerifier(verifier(ex.linkedEtag()), part);
                    run.phase(state, Phase.DOWNLOADING, "");
                    stream(ex.response().body().source(), out);
                } catch (IOException e) {
                    if (e instanceof HubException he) throw he;
                    state.setBytes(have);
                    if (control.stopping()) continue;
                    if (have > before) failures = 0;
                    failures++;
                    if (failures >= http.retry.attemptsWithoutProgress()) throw HubErrors.network(e, url.host(), what);
                    Duration wait = http.retry.backoff(failures);
                    String why = e instanceof java.net.SocketTimeoutException
                            ? "stalled: no data for " + run.stallTimeout().toSeconds() + " s"
                            : "connection lost (" + HubHttp.describe(e) + ")";
                    run.phase(state, Phase.RETRYING, why + " at " + Bytes.format(have) + "; retry " + failures + " in "
                            + wait.toMillis() + " ms");
                    control.sleep(wait);
                }
            }
            if (verifier == null) {
                throw new HubException(Kind.PROTOCOL, "No checksum is known for " + what + ", so it cannot be verified",
                        "The hub did not give a sha256 (X-Linked-Etag) or git oid; if HF_ENDPOINT is a mirror, check it.",
                        resolveUrl.toString(), null);
            }
            run.phase(state, Phase.VERIFYING, "checking " + verifier.algorithm);
            // On disk before it is renamed and marked complete, so a crash cannot leave a hole in a "complete" file.
            // The sync waits on the disk and the hash on the CPU, so they run at the same time.
            FutureTask<Void> sync = new FutureTask<>(() -> {
                out.force(false);
                return null;
            });
            Thread.ofPlatform().daemon().name("download-sync").start(sync);
            try {
                verify(verifier, part, file.size());
            } finally {
                awaitSync(sync);
            }
            if (!verifier.matches()) {
                out.close();
                deleteQuietly(part);
                state.setBytes(0);
                throw new HubException(Kind.CHECKSUM_MISMATCH,
                        "Checksum mismatch for " + what + ": " + verifier.algorithm + " is " + verifier.actual()
                                + ", the hub says " + verifier.expected + ". The partial file was deleted.",
                        "Run the download again to fetch it anew; if it fails again, the mirror or a proxy alters files.",
                        resolveUrl.toString(), null);
            }
        } catch (IOException e) {
            if (e instanceof HubException he) throw he;
            throw localIo("cannot write " + part, e);
        } finally {
            if (verifier != null) verifier.close();
        }
        finish(part);
    }

    private static void awaitSync(FutureTask<Void> sync) throws IOException {
        try {
            sync.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    /** Checks the part file with {@code v} from now on: in the background as it grows, or all at the end. */
    private void useVerifier(Verifier v, Path part) throws IOException {
        if (verifier != null) verifier.close();
        verifier = v;
        if (v != null && run.hashWhileDownloading()) v.trail(part, have);
    }

    /** The verifying phase: hashes what the background hasher has not reached, reporting the percentage every progress interval. */
    private void verify(Verifier v, Path path, long length) throws IOException {
        String detail = state.detail;
        long every = run.progressInterval().toNanos();
        long[] lastReport = {System.nanoTime()};
        v.finish(path, length, hashed -> {
            long now = System.nanoTime();
            if (now - lastReport[0] < every) return;
            lastReport[0] = now;
            run.phase(state, Phase.VERIFYING, detail + ": " + (int) (100.0 * hashed / Math.max(1, length)) + "%");
        }, control::checkpoint);
    }

    private void restart(FileChannel out, String linkedEtag, Path part) throws IOException {
        if (verifier != null) verifier.close();  // before the file shrinks under the background hasher
        verifier = null;
        out.truncate(0);
        have = 0;
        state.setBytes(0);
        useVerifier(verifier(linkedEtag), part);
    }

    /**
     * Appends the body to the part file in 16 KiB positional writes from a direct buffer. {@link #have} counts the bytes
     * written: when the connection breaks, what was received is still written, so the retry starts after it.
     */
    private void stream(BufferedSource in, FileChannel out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        while (have < file.size()) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), file.size() - have));
            IOException broken = null;
            try {
                while (buf.hasRemaining()) {
                    int n = in.read(buf);
                    if (n < 0) throw new java.io.EOFException("the server closed the connection at byte " + (have + buf.position()));
                }
            } catch (IOException e) {
                broken = e;
            }
            buf.flip();
            int filled = buf.remaining();
            if (filled > 0) {
                write(out, buf, have);
                have += filled;
                state.addBytes(filled, true);
                if (verifier != null) verifier.written(have);
            }
            if (broken != null) throw broken;
        }
    }

    private void write(FileChannel out, ByteBuffer bb, long position) throws HubException {
        try {
            long at = position;
            while (bb.hasRemaining()) at += out.write(bb, at);
        } catch (IOException e) {
            throw writeFailure(e);
        }
    }

    private void write(FileChannel out, byte[] buf, int n) throws HubException {
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
        try {
            while (bb.hasRemaining()) out.write(bb);
        } catch (IOException e) {
            throw writeFailure(e);
        }
    }

    private HubException writeFailure(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (m.contains("no space") || m.contains("disk full") || m.contains("quota")) {
            return new HubException(Kind.DISK_FULL, "The disk is full while writing " + file.path() + " in " + local.dir(),
                    "Free some space, then run the download again: it resumes where it stopped.", null, e);
        }
        return localIo("cannot write " + file.path(), e);
    }

    /** Moves the verified part into place (or keeps the adopted file) and records it as complete. */
    private void finish(Path part) throws HubException {
        Path target = local.file(file.path());
        try {
            if (part != null) {
                try {
                    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            local.writeMetadata(file.path(), run.commit(), file.etag());
        } catch (IOException e) {
            throw localIo("cannot move " + file.path() + " into " + local.dir(), e);
        }
        state.setBytes(file.size());
    }

    private static long rangeStart(String contentRange) {
        if (contentRange == null) return -1;
        Matcher m = CONTENT_RANGE.matcher(contentRange.trim());
        return m.matches() ? HubHttp.parseLong(m.group(1)) : -1; // -1 (malformed, or beyond a long): the caller reports it
    }

    private HubException unexpected(HubHttp.Exchange ex, String why) {
        return new HubException(Kind.PROTOCOL, "Unexpected answer for " + what + ": HTTP " + ex.response().code() + ", " + why,
                "If HF_ENDPOINT points to a mirror or proxy, check it.", ex.url().toString(), null);
    }

    private HubException localIo(String message, IOException e) {
        return new HubException(Kind.LOCAL_IO, message + ": " + HubHttp.describe(e),
                "Check that the folder exists and is writable.", null, e);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // Best effort; a stale part is named by its etag and verified before use anyway.
        }
    }

    /**
     * The checksum to verify against: the tree's sha256 for LFS files, else the sha256 the resolve redirect
     * announced (X-Linked-Etag) when the tree masked it, else the git blob sha1 for plain files. Null if none.
     */
    private Verifier verifier(String linkedEtag) {
        try {
            if (file.sha256() != null) return new Verifier("sha256", MessageDigest.getInstance("SHA-256"), file.sha256());
            String linked = RepoIds.sha256OrNull(linkedEtag);
            if (file.lfs() && linked != null) return new Verifier("sha256", MessageDigest.getInstance("SHA-256"), linked);
            if (!file.lfs() && file.gitOid() != null && file.gitOid().matches("[0-9a-f]{40}")) {
                MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
                sha1.update(("blob " + file.size() + "\0").getBytes(StandardCharsets.US_ASCII));
                return new Verifier("git sha1", sha1, file.gitOid());
            }
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
