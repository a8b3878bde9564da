package org.mambaplayground.gui.library;

import atlantafx.base.theme.Styles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Page;
import org.mambaplayground.gui.remote.RemoteModels;
import org.mambaplayground.remote.Endpoint;

/** The details of a remote model's Library entry: where it is served, what is measured, and its actions. */
final class RemoteEntryDetails {
    private RemoteEntryDetails() {}

    /** "Use it" (makes it the active model) or, when it is, "Chat with it" and "Stop using"; "Remove endpoint". */
    static List<Node> actions(AppContext ctx, LibraryEntry e) {
        RemoteModels remote = RemoteModels.of(ctx);
        List<Node> out = new ArrayList<>();
        ModelBackend backend = remote.backend(e).orElse(null);
        if (backend == null) return out;
        if (RemoteModels.isActive(ctx.models().getActiveBackend(), e)) {
            Button chat = new Button("Chat with it");
            chat.getStyleClass().add(Styles.ACCENT);
            chat.setOnAction(a -> ctx.navigate(Page.CHAT));
            Button stop = new Button("Stop using");
            stop.setId("stop-remote");
            stop.setOnAction(a -> ctx.models().unloadActive());
            out.add(chat);
            out.add(stop);
        } else {
            Button use = new Button("Use it");
            use.setId("use-remote");
            use.getStyleClass().add(Styles.ACCENT);
            use.setTooltip(new Tooltip("Makes it the active model: the chat and the sweep then run on the endpoint"));
            use.setOnAction(a -> {
                ctx.models().setActiveRemote(backend);
                ctx.navigate(Page.CHAT);
            });
            out.add(use);
        }
        Endpoint endpoint = remote.endpointOf(e).orElse(null);
        if (endpoint != null) {
            Button removeEndpoint = new Button("Remove endpoint");
            removeEndpoint.setId("remove-endpoint");
            removeEndpoint.setTooltip(new Tooltip("Forgets " + endpoint.name() + ", its models and its stored key"));
            removeEndpoint.setOnAction(a -> {
                if (RemoteModels.isActive(ctx.models().getActiveBackend(), e)) ctx.models().unloadActive();
                remote.remove(endpoint.name());
                ctx.library().refresh();
            });
            out.add(removeEndpoint);
        }
        return out;
    }

    static GridPane facts(AppContext ctx, LibraryEntry e) {
        GridPane grid = new GridPane();
        grid.setHgap(12);
        grid.setVgap(4);
        int row = 0;
        Endpoint endpoint = RemoteModels.of(ctx).endpointOf(e).orElse(null);
        if (endpoint != null) {
            row = fact(grid, row, "Endpoint", endpoint.baseUrl());
            row = fact(grid, row, "Server", endpoint.kind().label());
            row = fact(grid, row, "API key", endpoint.apiKeyEnv() != null ? "from $" + endpoint.apiKeyEnv()
                    : RemoteModels.of(ctx).store().key(endpoint) != null ? "stored (file mode 0600)" : "none");
        }
        row = fact(grid, row, "Measured", "at the client: time to first token and per token include the network");
        row = fact(grid, row, "State memory", e.spec() == null ? "unknown (the model id maps to no catalog entry)"
                : "analytic only, from the catalog architecture (a remote state is never measured)");
        if (e.spec() != null) {
            for (Map.Entry<String, String> f : e.spec().describe().entrySet()) row = fact(grid, row, f.getKey(), f.getValue());
        }
        return grid;
    }

    private static int fact(GridPane grid, int row, String name, String value) {
        Label k = new Label(name);
        k.getStyleClass().add(Styles.TEXT_MUTED);
        Label v = new Label(value);
        v.setWrapText(true);
        grid.addRow(row, k, v);
        return row + 1;
    }
}
