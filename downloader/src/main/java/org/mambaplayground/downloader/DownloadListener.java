package org.mambaplayground.downloader;

/**
 * Receives a download's events. Calls come from background threads (a GUI hands them to its UI thread);
 * keep them short. File events come on every phase change and about every progress interval while bytes
 * flow; overall progress comes every progress interval.
 */
public interface DownloadListener {

    default void onFile(FileProgress file) {}

    default void onProgress(Progress overall) {}

    default void onFinished(DownloadResult result) {}

    /** The download stopped on this error; the part files are kept and a new start resumes them. */
    default void onFailed(HubException error) {}

    /** Cancelled: the part files are kept and a new start resumes them. */
    default void onCancelled() {}

    DownloadListener NONE = new DownloadListener() {};
}
