package org.mambaplayground.downloader;

import java.util.regex.Pattern;
import org.mambaplayground.downloader.HubException.Kind;

/** Checks the strings that end up in URLs and file paths: repository ids, revisions, repository paths. */
final class RepoIds {

    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
    private static final Pattern HEX40 = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");

    private RepoIds() {}

    static String checkRepoId(String repoId) throws HubException {
        String id = repoId == null ? "" : repoId.trim();
        if (id.startsWith("https://") || id.startsWith("http://")) {
            // Accept a pasted model page URL: https://huggingface.co/owner/name[/tree/main]
            String rest = id.replaceFirst("^https?://[^/]+/", "");
            String[] parts = rest.split("/");
            if (parts.length >= 2) id = parts[0] + "/" + parts[1];
        }
        if (!REPO_ID.matcher(id).matches() || id.contains("--") || id.contains("..")) {
            throw new HubException(Kind.BAD_INPUT, "Not a repository id: '" + repoId + "'",
                    "Write it as owner/name, e.g. mistralai/Mamba-Codestral-7B-v0.1.");
        }
        return id;
    }

    static String checkRevision(String revision) throws HubException {
        String r = revision == null || revision.isBlank() ? "main" : revision.trim();
        if (r.contains("..") || r.startsWith("/") || r.chars().anyMatch(c -> c < 0x20)) {
            throw new HubException(Kind.BAD_INPUT, "Not a revision: '" + revision + "'", "Give a branch, tag or commit sha.");
        }
        return r;
    }

    static boolean isCommit(String revision) {
        return HEX40.matcher(revision).matches();
    }

    /** A 64-hex sha256, lower-cased, or null for anything else (the hub masks hashes of gated repos with '*'). */
    static String sha256OrNull(String s) {
        return s != null && HEX64.matcher(s).matches() ? s.toLowerCase() : null;
    }

    /** Repository paths are untrusted: no absolute, drive, UNC, backslash or '..' paths. */
    static String checkPath(String repoId, String path) throws HubException {
        boolean bad = path == null || path.isEmpty() || path.startsWith("/") || path.contains("\\")
                || path.matches("^[A-Za-z]:.*") || path.chars().anyMatch(c -> c == 0);
        if (!bad) {
            for (String segment : path.split("/", -1)) {
                if (segment.isEmpty() || segment.equals("..") || segment.equals(".")) bad = true;
            }
        }
        if (bad) {
            throw new HubException(Kind.PROTOCOL, "The hub listed an unsafe file path in " + repoId + ": '" + path + "'",
                    "Refusing to write outside the model folder; report this repository.");
        }
        return path;
    }

    /** The folder name users of the seed scripts know: the part after the slash. */
    static String folderName(String repoId) {
        int slash = repoId.indexOf('/');
        return slash < 0 ? repoId : repoId.substring(slash + 1);
    }
}
