package org.mambaplayground.downloader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A finished download: every planned file is in {@code dir}, verified. */
public record DownloadResult(Path dir, String repoId, String commit, List<Path> files, long bytesFetched, Duration elapsed) {}
