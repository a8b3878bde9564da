package org.mambaplayground.gui.shell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.concurrent.Worker;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import javafx.util.Duration;
import javax.imageio.ImageIO;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Page;
import org.mambaplayground.gui.chat.ChatView;
import org.mambaplayground.gui.metrics.ChartsView;
import org.mambaplayground.gui.metrics.ChartImages;
import org.mambaplayground.gui.metrics.MetricsCsv;
import org.mambaplayground.gui.metrics.MetricsStore;
import org.mambaplayground.gui.metrics.SweepTask;

/**
 * The app's screenshot mode: waits for the model to load, optionally sends one prompt to the chat and to
 * the comparison and waits for the answers, optionally loads more model folders one after the other and sweeps
 * each on the charts page (so their measured points are on the charts), then visits every page, saves a PNG of
 * each (named after the page) and exits.
 */
public final class Screenshots {
    private static final Duration SETTLE = Duration.seconds(1.5);
    private static final Duration ANSWER_TIMEOUT = Duration.minutes(3);
    /** A sweep to 16k tokens of a 1 GB model takes minutes on two cores: the limit only catches a hang. */
    private static final Duration SWEEP_TIMEOUT = Duration.minutes(60);
    private final AppContext ctx;
    private final Stage stage;
    private final Path dir;
    private final String prompt;
    private final boolean completion;

    /**
     * @param prompt     a question for the chat before the pictures are taken, or null
     * @param completion send it as plain completion (instruct format off), for base and demo models
     */
    public Screenshots(AppContext ctx, Stage stage, Path dir, String prompt, boolean completion) {
        this.ctx = ctx;
        this.stage = stage;
        this.dir = dir;
        this.prompt = prompt;
        this.completion = completion;
    }

    private int maxTokens;

    /** Answers of at most that many tokens (0: the chat's setting). */
    public Screenshots maxTokens(int tokens) {
        this.maxTokens = tokens;
        return this;
    }

    private List<Path> sweeps = List.of();

    /** Model folders to load and sweep, one after the other, once the chat and the comparison are done. */
    public Screenshots sweeps(List<Path> folders) {
        this.sweeps = List.copyOf(folders);
        return this;
    }

    private int sweepMax;

    /** The longest prompt of each sweep (0: the charts page's setting). */
    public Screenshots sweepMax(int tokens) {
        this.sweepMax = tokens;
        return this;
    }

    /** Starts once {@code first} (e.g. loading a model; may be null) has finished, however it ended. */
    public void after(Worker<?> first) {
        if (first == null || isDone(first)) {
            chat();
            return;
        }
        // The state changes before the task's success handlers run (they make the model active): go after them.
        first.stateProperty().addListener((obs, was, now) -> {
            if (isDone(first)) Platform.runLater(this::chat);
        });
    }

    private static boolean isDone(Worker<?> w) {
        return switch (w.getState()) {
            case SUCCEEDED, FAILED, CANCELLED -> true;
            default -> false;
        };
    }

    private void chat() {
        if (prompt == null || prompt.isBlank() || ctx.models().getActiveModel() == null) {
            sweep(0); // nothing to ask: only the sweeps, if any
            return;
        }
        ctx.navigate(Page.CHAT);
        if (!(stage.getScene().lookup("#chat-view") instanceof ChatView chat)) {
            page(0);
            return;
        }
        if (completion) uncheckInstruct(chat); // the demo models complete code; no [INST] wrapping
        if (maxTokens > 0) chat.maxTokensSpinner().getValueFactory().setValue(maxTokens);
        sendTurn(chat, List.of(prompt.split("\\|\\|")), 0);
    }

    /** Sends the turns one after the other ("first question||second question" makes a two-turn chat). */
    private void sendTurn(ChatView chat, List<String> turns, int index) {
        if (index == turns.size()) {
            compare();
            return;
        }
        chat.inputArea().setText(turns.get(index).strip());
        chat.sendButton().fire();
        PauseTransition timeout = new PauseTransition(ANSWER_TIMEOUT);
        Runnable[] done = new Runnable[1];
        javafx.beans.value.ChangeListener<Boolean> ended = (obs, was, now) -> {
            if (!now) done[0].run();
        };
        done[0] = () -> {
            timeout.stop();
            done[0] = () -> {};
            chat.runningProperty().removeListener(ended);
            Platform.runLater(() -> sendTurn(chat, turns, index + 1));
        };
        timeout.setOnFinished(e -> done[0].run());
        chat.runningProperty().addListener(ended);
        timeout.play();
    }

    /** Sends the prompt to both models of the comparison page (by its controls' ids) and waits for the end. */
    private void compare() {
        ctx.navigate(Page.COMPARE);
        var scene = stage.getScene();
        if (!(scene.lookup("#compare-prompt") instanceof javafx.scene.control.TextInputControl input)
                || !(scene.lookup("#compare-run") instanceof javafx.scene.control.Button run)
                || !(scene.lookup("#compare-stop") instanceof javafx.scene.control.Button stop)) {
            sweep(0);
            return;
        }
        if (completion) uncheckInstruct(scene.lookup("#compare-view"));
        input.setText(prompt.split("\\|\\|")[0].strip());
        run.fire();
        pollUntil(Duration.millis(500), ANSWER_TIMEOUT, () -> stop.isDisabled() && !run.isDisabled(), () -> sweep(0));
    }

    /** Makes the {@code index}th sweep folder the active model, sweeps it from the charts page, then goes on. */
    private void sweep(int index) {
        if (index == sweeps.size()) {
            serve();
            return;
        }
        Path folder = sweeps.get(index);
        Worker<?> load = ctx.models().activate(folder);
        Runnable loaded = () -> {
            if (load.getState() != Worker.State.SUCCEEDED) {
                System.err.println("Cannot load " + folder + " for a sweep: " + load.getException());
                sweep(index + 1);
                return;
            }
            ctx.navigate(Page.CHARTS);
            ChartsView charts = stage.getScene().lookup("#charts-view") instanceof ChartsView view ? view : null;
            if (charts != null && sweepMax > 0) {
                if (!charts.sweepMaxBox().getItems().contains(sweepMax)) charts.sweepMaxBox().getItems().add(sweepMax);
                charts.sweepMaxBox().setValue(sweepMax);
            }
            SweepTask task = charts != null ? charts.startSweep() : null;
            if (task == null) {
                sweep(index + 1);
                return;
            }
            pollUntil(Duration.millis(500), SWEEP_TIMEOUT, () -> isDone(task), () -> sweep(index + 1));
        };
        if (isDone(load)) loaded.run();
        else load.stateProperty().addListener((obs, was, now) -> {
            if (isDone(load)) Platform.runLater(loaded); // after the success handlers that make it active
        });
    }

    /** Starts the API server on a free port so its page shows an address; it stops when the app exits. */
    private void serve() {
        ctx.navigate(Page.SERVER);
        var scene = stage.getScene();
        if (!(scene.lookup("#server-port") instanceof javafx.scene.control.TextField port)
                || !(scene.lookup("#server-start") instanceof javafx.scene.control.Button start)
                || !(scene.lookup("#server-address") instanceof javafx.scene.control.Hyperlink address)) {
            page(0);
            return;
        }
        port.setText("0");
        start.fire();
        pollUntil(Duration.millis(300), Duration.seconds(20), () -> !address.getText().isEmpty(), () -> page(0));
    }

    /** Checks {@code done} on the FX thread every {@code period}; once it holds or {@code timeout} has passed, runs {@code next}. */
    private static void pollUntil(Duration period, Duration timeout, BooleanSupplier done, Runnable next) {
        long deadline = System.nanoTime() + (long) timeout.toMillis() * 1_000_000;
        javafx.animation.Timeline poll = new javafx.animation.Timeline();
        poll.getKeyFrames().add(new javafx.animation.KeyFrame(period, e -> {
            if (done.getAsBoolean() || System.nanoTime() > deadline) {
                poll.stop();
                next.run();
            }
        }));
        poll.setCycleCount(javafx.animation.Animation.INDEFINITE);
        poll.play();
    }

    private static void uncheckInstruct(javafx.scene.Node view) {
        if (view == null) return;
        view.lookupAll(".check-box").stream()
                .filter(n -> n instanceof javafx.scene.control.CheckBox c && c.getText().startsWith("Instruct"))
                .forEach(n -> ((javafx.scene.control.CheckBox) n).setSelected(false));
    }

    private void page(int index) {
        Page[] pages = Page.values();
        if (index == pages.length) {
            saveMetrics();
            System.out.println("Screenshots saved in " + dir.toAbsolutePath());
            Platform.exit();
            return;
        }
        Page page = pages[index];
        ctx.navigate(page);
        PauseTransition settle = new PauseTransition(SETTLE);
        settle.setOnFinished(e -> {
            save(dir.resolve(page.name().toLowerCase() + ".png"));
            page(index + 1);
        });
        settle.play();
    }

    /** Every point the charts hold, as the charts page's CSV export writes them, and the prefill chart alone. */
    private void saveMetrics() {
        try {
            MetricsCsv.write(dir.resolve("metrics.csv"), ctx.shared(MetricsStore.class, MetricsStore::new).points());
            ctx.navigate(Page.CHARTS);
            if (stage.getScene().lookup("#charts-view") instanceof ChartsView charts) {
                ChartImages.writePng(charts.prefillPanel(), dir.resolve("prefill-chart.png"));
            }
        } catch (IOException e) {
            System.err.println("Cannot save the metrics in " + dir + ": " + e.getMessage());
        }
    }

    private void save(Path file) {
        WritableImage image = stage.getScene().snapshot(null);
        try {
            Files.createDirectories(file.getParent());
            ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", file.toFile());
        } catch (IOException e) {
            System.err.println("Cannot save " + file + ": " + e.getMessage());
        }
    }
}
