package org.mambaplayground.gui;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javafx.application.Application;
import javafx.concurrent.Task;
import javafx.concurrent.Worker;
import javafx.geometry.Rectangle2D;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Screen;
import javafx.stage.Stage;
import org.mambaplayground.gui.library.LibraryEntry;
import org.mambaplayground.gui.models.EngineBinding;
import org.mambaplayground.gui.shell.MainWindow;
import org.mambaplayground.gui.download.Downloads;
import org.mambaplayground.gui.shell.Screenshots;

/**
 * The desktop application. Options: {@code --page=chat} opens that page first, {@code --dark} starts in
 * the dark theme, {@code --home=DIR} keeps models, cache and settings under DIR,
 * {@code --load-demo} activates the first built-in demo model, {@code --load=DIR} that model folder,
 * {@code --size=1024x700} sets the window's size (to look at a small screen), and {@code --screenshot-dir=DIR}
 * saves a PNG of every page there and exits (after asking the chat {@code --prompt=TEXT}, if given, with
 * {@code ||} between the turns of a longer chat; {@code --completion} sends it without the instruct format,
 * {@code --max-tokens=N} keeps the answers short; {@code --sweep=DIR1:DIR2} then loads those model folders one
 * after the other and sweeps each on the charts page, to prompts of {@code --sweep-max=N} tokens).
 */
public class App extends Application {
    /** The window's scene size when the screen has room for it. */
    static final double DEFAULT_WIDTH = 1260, DEFAULT_HEIGHT = 780;

    public static final String STYLESHEET = "/org/mambaplayground/assets/app.css";
    private AppContext ctx;

    @Override
    public void start(Stage stage) {
        Map<String, String> options = getParameters().getNamed();
        String home = options.getOrDefault("home", System.getProperty("mamba.home"));
        Settings settings = home != null ? Settings.under(Path.of(home)) : Settings.fromEnvironment();
        ctx = new AppContext(settings, EngineBinding.engine());
        ctx.setLinkOpener(url -> getHostServices().showDocument(url));
        String page = options.getOrDefault("page", System.getProperty("mamba.page"));
        if (page != null) ctx.navigate(Page.parse(page));
        boolean dark = getParameters().getUnnamed().contains("--dark") || ThemeChoice.read(settings);

        stage.setTitle("Mamba Playground");
        stage.setScene(createScene(ctx, dark));
        String size = options.get("size");
        if (size != null) resize(stage, size);
        else fitTo(stage, Screen.getPrimary().getVisualBounds());
        ctx.darkThemeProperty().addListener((obs, was, now) -> ThemeChoice.save(settings, now));
        var icon = App.class.getResource("/org/mambaplayground/assets/icon-256.png");
        if (icon != null) stage.getIcons().add(new Image(icon.toExternalForm()));
        stage.show();

        boolean loadDemo = getParameters().getUnnamed().contains("--load-demo");
        String shots = options.get("screenshot-dir");
        Task<List<LibraryEntry>> scan = ctx.library().refresh();
        scan.setOnSucceeded(e -> {
            String folder = options.get("load");
            Worker<?> load = folder != null ? ctx.models().activate(Path.of(folder))
                    : loadDemo ? loadFirstDemo(scan.getValue()) : null;
            if (shots != null) new Screenshots(ctx, stage, Path.of(shots), options.get("prompt"),
                    getParameters().getUnnamed().contains("--completion"))
                    .maxTokens(options.containsKey("max-tokens") ? Integer.parseInt(options.get("max-tokens")) : 0)
                    .sweeps(sweepFolders(options.get("sweep")))
                    .sweepMax(options.containsKey("sweep-max") ? Integer.parseInt(options.get("sweep-max")) : 0).after(load);
        });
        scan.setOnFailed(e -> System.err.println("Cannot scan the model library: " + scan.getException().getMessage()));
    }

    /** "DIR1:DIR2" (the platform's path separator between folders), or null for none. */
    private static List<Path> sweepFolders(String folders) {
        if (folders == null || folders.isBlank()) return List.of();
        return java.util.Arrays.stream(folders.split(java.io.File.pathSeparator)).filter(f -> !f.isBlank()).map(Path::of).toList();
    }

    /** "1024x700": the window's width and height. */
    private static void resize(Stage stage, String size) {
        String[] wh = size.toLowerCase(java.util.Locale.ROOT).split("x");
        if (wh.length != 2) throw new IllegalArgumentException("--size wants WIDTHxHEIGHT, e.g. 1024x700, not " + size);
        stage.setWidth(Double.parseDouble(wh[0]));
        stage.setHeight(Double.parseDouble(wh[1]));
    }

    /**
     * On a screen smaller than the default window (a 1024x768 laptop, a small VM), the window takes the screen's
     * visible area instead of running past its edges; on a larger one it keeps its default size.
     */
    private static void fitTo(Stage stage, Rectangle2D visible) {
        Rectangle2D bounds = windowBounds(visible, DEFAULT_WIDTH, DEFAULT_HEIGHT);
        if (bounds == null) return;
        stage.setX(bounds.getMinX());
        stage.setY(bounds.getMinY());
        stage.setWidth(bounds.getWidth());
        stage.setHeight(bounds.getHeight());
    }

    /** Where a window of {@code width x height} goes on {@code visible}: null when it fits as it is. */
    static Rectangle2D windowBounds(Rectangle2D visible, double width, double height) {
        if (width <= visible.getWidth() && height <= visible.getHeight()) return null;
        return new Rectangle2D(visible.getMinX(), visible.getMinY(), Math.min(width, visible.getWidth()),
                Math.min(height, visible.getHeight()));
    }

    /** Activates the first built-in demo model that can be loaded, or returns null if there is none. */
    private Worker<?> loadFirstDemo(List<LibraryEntry> entries) {
        return entries.stream()
                .filter(e -> e.kind() == LibraryEntry.Kind.DEMO && e.loadable())
                .findFirst()
                .map(e -> (Worker<?>) ctx.models().activate(e.folder()))
                .orElse(null);
    }

    /** The main window's scene for a context: used by {@link #start} and by the UI tests. */
    public static Scene createScene(AppContext ctx, boolean dark) {
        ctx.darkThemeProperty().set(dark);
        Parent root = new MainWindow(ctx, Pages.create(ctx));
        Downloads.of(ctx).resumeInterrupted(); // shown in the sidebar: what was under way when the app last quit
        Scene scene = new Scene(root, DEFAULT_WIDTH, DEFAULT_HEIGHT);
        var css = App.class.getResource(STYLESHEET);
        if (css != null) scene.getStylesheets().add(css.toExternalForm());
        return scene;
    }

    @Override
    public void stop() {
        if (ctx != null) ctx.close();
    }
}
