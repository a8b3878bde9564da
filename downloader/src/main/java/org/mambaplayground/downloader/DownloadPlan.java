package org.mambaplayground.downloader;

import java.nio.file.Path;
import java.util.List;

/**
 * What a download will do, computed before any byte moves: which files, what is already on disk,
 * how much must be fetched, and whether it fits. Show it to the user, then {@link HubClient#start}.
 */
public final class DownloadPlan {

    public enum Status {
        /** On disk and verified earlier (metadata matches): skipped. */
        COMPLETE,
        /** A part file holds some bytes: resumes with a Range request. */
        PARTIAL,
        /** A file of the right size without our metadata (copied by hand, or huggingface_hub's cache): hashed, kept if it matches. */
        UNVERIFIED,
        /** Nothing yet. */
        MISSING
    }

    /** One file of the plan; {@code source} is a copy in the Hugging Face cache to reuse, or null. */
    public record PlannedFile(RepoFile file, Status status, long bytesPresent, Path source) {
        public long bytesToFetch() {
            return status == Status.UNVERIFIED ? 0 : file.size() - bytesPresent;
        }
    }

    private final RepoListing listing;
    private final FilePatterns patterns;
    private final Path targetDir;
    private final List<PlannedFile> files;
    private final long freeBytes;

    DownloadPlan(RepoListing listing, FilePatterns patterns, Path targetDir, List<PlannedFile> files, long freeBytes) {
        this.listing = listing;
        this.patterns = patterns;
        this.targetDir = targetDir;
        this.files = List.copyOf(files);
        this.freeBytes = freeBytes;
    }

    public RepoListing listing() {
        return listing;
    }

    public FilePatterns patterns() {
        return patterns;
    }

    public Path targetDir() {
        return targetDir;
    }

    public List<PlannedFile> files() {
        return files;
    }

    public long totalBytes() {
        return files.stream().mapToLong(f -> f.file().size()).sum();
    }

    public long bytesPresent() {
        return totalBytes() - bytesToFetch();
    }

    public long bytesToFetch() {
        return files.stream().mapToLong(PlannedFile::bytesToFetch).sum();
    }

    /** Usable space on the target's file system when the plan was made. */
    public long freeBytes() {
        return freeBytes;
    }

    public boolean fitsOnDisk() {
        return bytesToFetch() <= freeBytes;
    }

    public boolean isComplete() {
        return files.stream().allMatch(f -> f.status() == Status.COMPLETE);
    }

    /** Throws NOT_ENOUGH_SPACE with the numbers when the bytes to fetch exceed the free space. */
    public void checkDiskSpace() throws HubException {
        if (fitsOnDisk()) return;
        long missing = bytesToFetch() - freeBytes;
        throw new HubException(HubException.Kind.NOT_ENOUGH_SPACE,
                "Not enough disk space in " + targetDir + ": " + Bytes.format(bytesToFetch()) + " to download, "
                        + Bytes.format(freeBytes) + " free (" + Bytes.format(missing) + " short)",
                "Free at least " + Bytes.format(missing) + ", choose another folder, or select fewer files.");
    }
}
