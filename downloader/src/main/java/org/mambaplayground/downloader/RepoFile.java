package org.mambaplayground.downloader;

/**
 * One file of a repository at a commit.
 *
 * @param path    repository-relative POSIX path, already checked to stay inside the repository
 * @param size    size in bytes of the real content (not of an LFS pointer)
 * @param gitOid  git blob sha1 (of the pointer for LFS files); the hub's ETag for plain files
 * @param sha256  sha256 of the content for LFS files, or null when unknown (plain git files, masked hashes)
 * @param lfs     stored with Git LFS / Xet: the content lives on the CDN and gitOid is the pointer's sha1
 */
public record RepoFile(String path, long size, String gitOid, String sha256, boolean lfs) {

    /** A plain git file: its content hashes (git blob sha1) to gitOid. */
    public static RepoFile plain(String path, long size, String gitOid) {
        return new RepoFile(path, size, gitOid, null, false);
    }

    /** An LFS file whose content hashes (sha256) to sha256. */
    public static RepoFile large(String path, long size, String gitOid, String sha256) {
        return new RepoFile(path, size, gitOid, sha256, true);
    }

    /** The hub's etag for this content: the sha256 for LFS files, the git blob sha1 otherwise. */
    public String etag() {
        return sha256 != null ? sha256 : gitOid;
    }
}
