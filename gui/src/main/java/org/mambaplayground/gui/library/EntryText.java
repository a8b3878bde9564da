package org.mambaplayground.gui.library;

import java.nio.file.Path;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.gui.download.DownloadSession;
import org.mambaplayground.gui.download.Downloads;
import org.mambaplayground.gui.models.ModelHandle;
import org.mambaplayground.gui.models.ModelManager;

/** Words for a library entry's fields. */
final class EntryText {
    private EntryText() {}

    static String architecture(ModelSpec spec) {
        return switch (spec.architecture()) {
            case MAMBA2 -> "Mamba2";
            case TRANSFORMER -> "Transformer";
        };
    }

    /**
     * As {@link #state(LibraryEntry)}, but "Active · Q8_0" or "In memory · BF16" for loaded models and
     * "Downloading 37%", "Paused at 37%" or "Waiting to download" while a download of it is under way.
     */
    static String state(LibraryEntry e, ModelManager models, Downloads downloads) {
        if (e.remote()) {
            boolean active = models.getActiveBackend() != null
                    && org.mambaplayground.gui.remote.RemoteModels.isActive(models.getActiveBackend(), e);
            return !e.problem().isEmpty() ? "Cannot read" : active ? "Active \u00b7 remote" : "Remote";
        }
        var session = download(e, downloads);
        if (session.isPresent()) {
            DownloadSession s = session.get();
            String percent = Math.round(s.fractionProperty().get() * 100) + "%";
            return switch (s.stateProperty().get()) {
                case PAUSED -> "Paused at " + percent;
                case QUEUED -> "Waiting to download";
                default -> "Downloading " + percent;
            };
        }
        if (e.folder() != null && e.state() == LibraryEntry.InstallState.INSTALLED) {
            Path folder = e.folder().toAbsolutePath().normalize();
            ModelHandle active = models.getActiveModel();
            if (active != null && active.folder().toAbsolutePath().normalize().equals(folder)) return "Active \u00b7 " + active.choice().label();
            var open = models.openModels().stream().filter(h -> h.folder().toAbsolutePath().normalize().equals(folder)).findFirst();
            if (open.isPresent()) return "In memory \u00b7 " + open.get().choice().label();
        }
        return state(e);
    }

    /** The entry's bytes on disk; while a download of it runs, the bytes it has so far. */
    static long bytesOnDisk(LibraryEntry e, Downloads downloads) {
        return download(e, downloads).map(s -> s.bytesDoneProperty().get()).orElse(e.bytesOnDisk());
    }

    /** As {@link #bytesOnDisk}, and while a download runs, out of how many: "1.2 GB of 14.6 GB". */
    static String onDisk(LibraryEntry e, Downloads downloads) {
        String bytes = Sizes.bytes(bytesOnDisk(e, downloads));
        long total = download(e, downloads).map(s -> s.totalBytesProperty().get()).orElse(-1L);
        return total > 0 ? bytes + " of " + Sizes.bytes(total) : bytes;
    }

    /** The download of the entry under way or waiting, if it is a catalog model with one. */
    static java.util.Optional<DownloadSession> download(LibraryEntry e, Downloads downloads) {
        return e.catalog() == null ? java.util.Optional.empty() : downloads.of(e.catalog());
    }

    static String state(LibraryEntry e) {
        if (!e.problem().isEmpty() && e.state() == LibraryEntry.InstallState.INSTALLED) return "Cannot load";
        return switch (e.state()) {
            case INSTALLED -> "Installed";
            case PARTIAL -> "Partly downloaded";
            case NOT_INSTALLED -> e.catalog() != null ? "Not on disk" : "Missing";
        };
    }
}
