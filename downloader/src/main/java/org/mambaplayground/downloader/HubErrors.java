package org.mambaplayground.downloader;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import okhttp3.Response;
import org.mambaplayground.downloader.HubException.Kind;

/** Turns the hub's status codes and X-Error-Code / X-Error-Message headers into actionable errors. */
final class HubErrors {

    private HubErrors() {}

    /**
     * @param what what was asked for, for the message: "repository x/y", "file a.bin of x/y"
     * @param giveToken how this client's user gives a token, for the hints: "--token or HF_TOKEN", "the token field"
     */
    static HubException fromResponse(Response r, String endpoint, String repoId, String what, boolean sentToken,
            String giveToken) {
        int code = r.code();
        String errorCode = header(r, "X-Error-Code");
        String serverMessage = header(r, "X-Error-Message");
        String url = r.request().url().toString();
        String page = endpoint + "/" + repoId;
        String tokens = endpoint + "/settings/tokens";
        String detail = serverMessage.isEmpty() ? "" : " (hub says: " + serverMessage + ")";
        String status = "HTTP " + code;

        if ("GatedRepo".equals(errorCode)) {
            String hint = sentToken
                    ? "Your token works but its account has no access yet: open " + page
                            + ", accept the licence (or wait for the authors to approve your request), then retry."
                    : "Open " + page + ", accept the licence with your account, then give a token of that account"
                            + " (" + giveToken + "); create one at " + tokens + ".";
            return new HubException(Kind.GATED, repoId + " is a gated repository: " + status + " for " + what + detail,
                    hint, url, null);
        }
        if (code == 401 && serverMessage.toLowerCase().contains("invalid credentials")) {
            return invalidToken(status, what, detail, tokens, url, giveToken);
        }
        if ("RevisionNotFound".equals(errorCode)) {
            return new HubException(Kind.REVISION_NOT_FOUND, "Revision not found for " + what + ": " + status + detail,
                    "Check the branch, tag or commit name on " + page + " (default: main).", url, null);
        }
        if ("EntryNotFound".equals(errorCode)) {
            return new HubException(Kind.FILE_NOT_FOUND, "Not found: " + what + ": " + status + detail,
                    "The file is not in this revision of " + page + "; list the files again.", url, null);
        }
        if ("RepoNotFound".equals(errorCode) || code == 401 || (code == 404 && errorCode.isEmpty() && what.startsWith("repository"))) {
            String hint = sentToken
                    ? "Check the repository id on " + page + ". If it is private, your token's account needs access to it."
                    : "Check the repository id on " + page + ". If it is private, give a token (" + giveToken + ").";
            return new HubException(Kind.REPO_NOT_FOUND, "Repository not found: " + repoId + ": " + status + " for " + what + detail,
                    hint, url, null);
        }
        if (code == 404) {
            return new HubException(Kind.FILE_NOT_FOUND, "Not found: " + what + ": " + status + detail,
                    "The hub or mirror has no such file; list the files again.", url, null);
        }
        if (code == 403) {
            if (sentToken) return invalidToken(status, what, detail, tokens, url, giveToken);
            return new HubException(Kind.REPO_NOT_FOUND, "Access denied to " + what + ": " + status + detail,
                    "If the repository is private or gated, give a token with access (" + giveToken + ").", url, null);
        }
        if (code == 429) {
            return new HubException(Kind.RATE_LIMITED, "Rate limited by the hub while fetching " + what + ": " + status + detail,
                    "Wait a few minutes and retry; a token (HF_TOKEN) gives higher limits.", url, null);
        }
        if (code >= 500) {
            return new HubException(Kind.NETWORK, "The server failed while fetching " + what + ": " + status + detail,
                    "The hub or CDN has a problem; retry later (the download resumes where it stopped).", url, null);
        }
        return new HubException(Kind.PROTOCOL, "Unexpected answer for " + what + ": " + status + detail,
                "If HF_ENDPOINT points to a mirror or proxy, check it.", url, null);
    }

    private static HubException invalidToken(String status, String what, String detail, String tokens, String url,
            String giveToken) {
        return new HubException(Kind.INVALID_TOKEN, "The hub refused the token: " + status + " for " + what + detail,
                "Check the token (" + giveToken + "): it may be mistyped, revoked,"
                        + " or lack read permission. Create a new one at " + tokens + ".", url, null);
    }

    /**
     * The host cannot be reached at all: its name does not resolve, nothing listens on the port, or there is no
     * route. Retrying the first connection will not help, so these are reported at once.
     */
    static boolean unreachable(IOException e) {
        return e instanceof UnknownHostException || e instanceof ConnectException || e instanceof NoRouteToHostException
                || e instanceof java.net.PortUnreachableException;
    }

    static HubException network(IOException e, String host, String what) {
        String why = rootMessage(e).isEmpty() ? "" : " (" + rootMessage(e) + ")";
        String reason = e instanceof UnknownHostException ? "unknown host " + host + " (the name does not resolve: offline?)"
                : e instanceof ConnectException || e instanceof NoRouteToHostException ? "cannot connect to " + host + why
                : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return new HubException(Kind.NETWORK, "Network problem while fetching " + what + ": " + reason,
                "Check your connection (and HF_ENDPOINT if you use a mirror); run again to resume where it stopped.",
                null, e);
    }

    /** The innermost cause's message: OkHttp says "Failed to connect to /127.0.0.1:1234", its cause "Connection refused". */
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage() != null ? t.getMessage() : e.getMessage();
        return m == null ? "" : m.strip();
    }

    static String header(Response r, String name) {
        String v = r.header(name);
        return v == null ? "" : v.trim();
    }
}
