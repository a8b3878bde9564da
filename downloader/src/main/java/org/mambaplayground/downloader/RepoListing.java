package org.mambaplayground.downloader;

import java.util.List;

/**
 * A repository's files at one commit, as the hub lists them.
 *
 * @param repoId   "owner/name"
 * @param revision what the caller asked for (branch, tag or commit)
 * @param commit   the 40-hex commit it resolved to; every file is fetched at this commit
 * @param gated    "false", "auto" or "manual" as the hub reports it (files of a gated repo need an accepted licence)
 * @param files    files only (no folders), in the hub's order
 */
public record RepoListing(String repoId, String revision, String commit, String gated, List<RepoFile> files) {

    public RepoListing {
        files = List.copyOf(files);
    }

    public boolean isGated() {
        return gated != null && !gated.equals("false");
    }

    public long totalBytes() {
        return files.stream().mapToLong(RepoFile::size).sum();
    }

    public List<RepoFile> select(FilePatterns patterns) {
        return files.stream().filter(f -> patterns.matches(f.path())).toList();
    }
}
