package org.mambaplayground.gui.download;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javafx.beans.value.ChangeListener;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.mambaplayground.assets.CatalogModel;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.download.DownloadSession.State;

/**
 * The application's downloads, wherever they were started: one runs at a time, the others wait in line. They
 * outlive the wizard's window (the sidebar shows them), and the models of unfinished ones are written to
 * {@code downloads.txt} beside the settings, so a download interrupted by quitting resumes at the next start.
 * FX thread only.
 */
public final class Downloads implements AutoCloseable {
    private final AppContext ctx;
    private final Path record;
    private final ObservableList<DownloadSession> sessions = FXCollections.observableArrayList();
    private final Map<DownloadSession, String> tokens = new HashMap<>();
    private final Map<DownloadSession, ChangeListener<State>> watchers = new HashMap<>();
    private boolean closing;

    public Downloads(AppContext ctx) {
        this.ctx = ctx;
        this.record = ctx.settings().userFolders().resolveSibling("downloads.txt");
    }

    /** The application's one instance. */
    public static Downloads of(AppContext ctx) {
        return ctx.shared(Downloads.class, () -> new Downloads(ctx));
    }

    /** Downloads running, paused, or waiting for their turn, in the order they were asked for. */
    public ObservableList<DownloadSession> sessions() { return sessions; }

    /** The download of this catalog model, if one is under way or waiting. */
    public Optional<DownloadSession> of(CatalogModel model) {
        return sessions.stream().filter(s -> s.model().id().equals(model.id())).findFirst();
    }

    /** A new session for {@code model}, downloading into the library's folder for it. */
    public DownloadSession newSession(CatalogModel model) {
        return new DownloadSession(ctx.hubClients(), ctx.background(), model, ctx.library().folderOf(model),
                () -> ctx.library().refresh());
    }

    /** Downloads with {@code token} (as typed; blank: HF_TOKEN or the saved one) now, or after those ahead of it. */
    public void enqueue(DownloadSession session, String token) {
        if (sessions.contains(session)) return;
        tokens.put(session, token == null ? "" : token);
        ChangeListener<State> watcher = (obs, was, now) -> changed(session, now);
        watchers.put(session, watcher);
        session.stateProperty().addListener(watcher);
        sessions.add(session);
        save();
        if (sessions.size() == 1) session.download(token);
        else session.queue();
    }

    private void changed(DownloadSession session, State now) {
        boolean over = now == State.DONE || now == State.CANCELLED || now == State.FAILED
                || now == State.IDLE || now == State.READY && !session.isQueued();
        if (!over || closing) return;
        // A refused token or a full disk leaves the session in the wizard to be mended; the line moves on.
        session.stateProperty().removeListener(watchers.remove(session));
        tokens.remove(session);
        boolean wasFirst = !sessions.isEmpty() && sessions.getFirst() == session;
        sessions.remove(session);
        save();
        if (wasFirst && !sessions.isEmpty()) {
            DownloadSession next = sessions.getFirst();
            next.download(tokens.get(next));
        }
    }

    /** Starts again the downloads that were under way when the application last quit. */
    public void resumeInterrupted() {
        List<String> ids;
        try {
            ids = Files.isRegularFile(record) ? Files.readAllLines(record, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return;  // an unreadable note of unfinished downloads is not worth an error at start
        }
        for (String id : ids) {
            ctx.library().catalog().byId(id.strip()).filter(m -> of(m).isEmpty())
                    .ifPresent(m -> enqueue(newSession(m), null));
        }
    }

    private void save() {
        try {
            if (sessions.isEmpty()) {
                Files.deleteIfExists(record);
                return;
            }
            Files.createDirectories(record.getParent());
            Files.write(record, sessions.stream().map(s -> s.model().id()).toList(), StandardCharsets.UTF_8);
        } catch (IOException ignored) {
            // Only the resume at the next start is lost.
        }
    }

    /** Quitting: stops every download (their bytes stay) and keeps the note, so the next start resumes them. */
    @Override
    public void close() {
        closing = true;
        for (DownloadSession s : List.copyOf(sessions)) s.close();
    }
}
