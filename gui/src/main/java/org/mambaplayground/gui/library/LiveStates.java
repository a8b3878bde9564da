package org.mambaplayground.gui.library;

import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.value.ObservableValue;
import javafx.collections.ListChangeListener;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.gui.download.DownloadSession;
import org.mambaplayground.gui.download.Downloads;
import org.mambaplayground.gui.models.ModelHandle;
import org.mambaplayground.gui.models.ModelManager;

/**
 * Each entry's State words ("Downloading 37%", "Active · Q8_0") as a value that follows the downloads and the
 * loaded models by itself: the State column and the details' State line change with the sidebar's percent, with
 * no redraw of the whole table or rebuild of the details. FX thread.
 */
final class LiveStates {
    private final ModelManager models;
    private final Downloads downloads;
    /** Moves on whenever some entry's words may have changed. */
    private final IntegerProperty revision = new SimpleIntegerProperty();

    LiveStates(ModelManager models, Downloads downloads) {
        this.models = models;
        this.downloads = downloads;
        downloads.sessions().forEach(this::watch); // a download resumed at start may be under way already
        downloads.sessions().addListener((ListChangeListener<DownloadSession>) c -> {
            while (c.next()) c.getAddedSubList().forEach(this::watch);
            changed();
        });
        models.activeModelProperty().addListener(o -> changed());
        models.openModels().addListener((ListChangeListener<ModelHandle>) c -> changed());
    }

    /** The entry's State words, kept up to date. */
    ObservableValue<String> of(LibraryEntry e) {
        return live(() -> EntryText.state(e, models, downloads));
    }

    /** The entry's bytes on disk, counting up while it downloads (the table's short form). */
    ObservableValue<String> bytesOnDisk(LibraryEntry e) {
        return live(() -> Sizes.bytes(EntryText.bytesOnDisk(e, downloads)));
    }

    /** As {@link #bytesOnDisk}, with the download's total while one runs ("1.2 GB of 14.6 GB"). */
    ObservableValue<String> onDisk(LibraryEntry e) {
        return live(() -> EntryText.onDisk(e, downloads));
    }

    /** Words computed again whenever the downloads (a whole percent) or the loaded models move on. */
    private ObservableValue<String> live(java.util.concurrent.Callable<String> words) {
        return Bindings.createStringBinding(words, revision);
    }

    private void watch(DownloadSession s) {
        s.stateProperty().addListener((Observable o) -> changed());
        s.fractionProperty().addListener((obs, was, now) -> {
            if (Math.round(was.doubleValue() * 100) != Math.round(now.doubleValue() * 100)) changed(); // a whole percent
        });
    }

    private void changed() {
        revision.set(revision.get() + 1);
    }
}
