package org.mambaplayground.gui.library;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;
import org.mambaplayground.assets.Catalog;
import org.mambaplayground.assets.CatalogModel;
import org.mambaplayground.assets.DemoModels;
import org.mambaplayground.assets.DemoModels.DemoModel;
import org.mambaplayground.engine.load.GgufModels;
import org.mambaplayground.engine.load.ModelLoader;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.gui.Settings;
import org.mambaplayground.gui.library.LibraryEntry.InstallState;
import org.mambaplayground.gui.library.LibraryEntry.Kind;

/**
 * The models the user can pick: the catalog (installed or not), the built-in demo models and folders the
 * user added. Scans run on the executor; {@link #entries()} changes on the FX thread.
 */
public final class ModelLibrary {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Settings settings;
    private final Executor executor;
    private final SpecReader specs;
    private final Catalog catalog = Catalog.bundled();
    private final ObservableList<LibraryEntry> entries = FXCollections.observableArrayList();

    private final GgufFinder ggufFinder;
    private volatile java.util.function.Supplier<List<LibraryEntry>> remoteEntries = List::of;

    public ModelLibrary(Settings settings, Executor executor, SpecReader specs) {
        this(settings, executor, specs, GgufFinder.ofEnvironment());
    }

    /** With the places GGUF files of other applications are looked for. */
    public ModelLibrary(Settings settings, Executor executor, SpecReader specs, GgufFinder ggufFinder) {
        this.settings = settings;
        this.executor = executor;
        this.specs = specs;
        this.ggufFinder = ggufFinder;
    }

    public Catalog catalog() { return catalog; }

    /** Read on the FX thread. */
    public ObservableList<LibraryEntry> entries() { return entries; }

    /** Rescans the disk in the background; the returned task completes after entries() was updated. */
    public Task<List<LibraryEntry>> refresh() {
        return scanAfter(() -> {});
    }

    /** Adds a folder the user picked (remembered across runs) and rescans, in the background. */
    public Task<List<LibraryEntry>> addFolder(Path folder) {
        Path normalized = folder.toAbsolutePath().normalize();
        return scanAfter(() -> changeUserFolders(folders -> folders.add(normalized)));
    }

    /** Forgets an added folder (its files stay) and rescans, in the background. */
    public Task<List<LibraryEntry>> removeFolder(Path folder) {
        Path normalized = folder.toAbsolutePath().normalize();
        return scanAfter(() -> changeUserFolders(folders -> folders.remove(normalized)));
    }

    /** Runs {@code first} (file work, off the FX thread), then scans; a failure of either fails the task. */
    private Task<List<LibraryEntry>> scanAfter(Runnable first) {
        Task<List<LibraryEntry>> task = new Task<>() {
            @Override
            protected List<LibraryEntry> call() {
                first.run();
                updateMessage("Scanning models");
                return scan();
            }

            @Override
            protected void succeeded() { entries.setAll(getValue()); }
        };
        executor.execute(task);
        return task;
    }

    /**
     * Deletes what the app downloaded for {@code model}: its catalog files and their download records (metadata,
     * part files, locks under .cache/huggingface/download), then the folders left empty; any other file in the
     * folder stays. Then rescans, in the background.
     */
    public Task<List<LibraryEntry>> deleteDownloaded(CatalogModel model) {
        Path folder = folderOf(model);
        return scanAfter(() -> {
            try {
                Path records = folder.resolve(".cache/huggingface/download");
                for (String name : model.fileNames()) {
                    Files.deleteIfExists(folder.resolve(name));
                    if (!Files.isDirectory(records)) continue;
                    try (var left = Files.list(records)) {
                        for (Path p : left.filter(p -> p.getFileName().toString().startsWith(name + ".")).toList()) {
                            Files.deleteIfExists(p);
                        }
                    }
                }
                deleteIfEmpty(records);
                if (!Files.exists(records)) { // the downloader's markers, written beside its records
                    Files.deleteIfExists(records.getParent().resolve(".gitignore"));
                    Files.deleteIfExists(records.getParent().resolve("CACHEDIR.TAG"));
                }
                for (Path dir : List.of(records.getParent(), records.getParent().getParent(), folder)) deleteIfEmpty(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot delete " + model.name() + " from " + folder + ": " + e.getMessage(), e);
            }
        });
    }

    private static void deleteIfEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (var left = Files.list(dir)) {
            if (left.findAny().isEmpty()) Files.delete(dir);
        }
    }

    /** Where a catalog model is (or will be) installed. */
    public Path folderOf(CatalogModel model) { return settings.modelStore().resolve(model.folder()); }

    /** The chat-format default for a model folder (see {@link LibraryEntry#instructByDefault()}); FX thread. */
    public boolean instructByDefault(Path folder) {
        Path wanted = folder.toAbsolutePath().normalize();
        return entries.stream()
                .filter(e -> e.folder() != null && e.folder().toAbsolutePath().normalize().equals(wanted))
                .findFirst()
                .map(LibraryEntry::instructByDefault)
                .orElse(true);
    }

    /** Builds the entries now, on the calling thread. */
    public List<LibraryEntry> scan() {
        List<LibraryEntry> result = new ArrayList<>();
        List<DemoModel> demos;
        try {
            demos = DemoModels.locate(settings.cacheDir());
        } catch (RuntimeException e) { // e.g. the cache folder is not writable: say so, keep the rest of the library
            demos = List.of();
            result.add(new LibraryEntry(Kind.DEMO, "Built-in demo models", "", null, settings.cacheDir(),
                    InstallState.NOT_INSTALLED, 0, null, String.valueOf(e.getMessage())));
        }
        for (DemoModel demo : demos) {
            String about = demo.about().isEmpty()
                    ? "A small model bundled with the app so it works offline; see tools/demo-models for how it was trained."
                    : demo.about();
            result.add(folderEntry(Kind.DEMO, demo.name(), about, null, demo.folder()));
        }
        for (CatalogModel model : catalog.models()) {
            result.add(catalogEntry(model));
        }
        for (Path folder : userFolders()) {
            result.add(folderEntry(Kind.FOLDER, folder.getFileName().toString(), folder.toString(), null, folder));
        }
        for (CatalogModel gguf : catalog.downloadable()) { // what the wizard (or `download REPO --gguf`) fetched
            if (!gguf.ggufRepository()) continue;
            for (Path f : GgufFinder.ggufFiles(folderOf(gguf))) {
                if (result.stream().noneMatch(e -> f.equals(e.folder()))) {
                    result.add(folderEntry(Kind.FOLDER, GgufFinder.stem(f), "Downloaded from " + gguf.repo(), null, f));
                }
            }
        }
        for (GgufFinder.Found f : ggufFinder.find()) {
            if (result.stream().noneMatch(e -> f.file().equals(e.folder()))) {
                result.add(folderEntry(Kind.FOLDER, f.name(), "Found in " + f.source(), null, f.file()));
            }
        }
        result.addAll(remoteEntries.get());
        return result;
    }

    /** Where the remote endpoints' models come from (read at each scan, on the scanning thread). */
    public void setRemoteEntries(java.util.function.Supplier<List<LibraryEntry>> remote) { this.remoteEntries = remote; }

    private LibraryEntry catalogEntry(CatalogModel model) {
        Path folder = folderOf(model);
        long present = 0;
        int complete = 0;
        for (String name : model.fileNames()) {
            Path file = folder.resolve(name);
            if (Files.isRegularFile(file)) {
                present += size(file);
                complete++;
            }
        }
        InstallState state = complete == model.files().size() ? InstallState.INSTALLED
                : complete > 0 || Files.isDirectory(folder) && present > 0 ? InstallState.PARTIAL : InstallState.NOT_INSTALLED;
        if (state == InstallState.INSTALLED) { // the downloaded params.json is the truth from now on
            LibraryEntry onDisk = folderEntry(Kind.CATALOG, model.name(), model.description(), model, folder);
            return new LibraryEntry(Kind.CATALOG, model.name(), model.description(), model, folder, state, present,
                    onDisk.spec(), onDisk.problem());
        }
        ModelSpec spec = null;
        String problem = "";
        try {
            spec = specs.read(model.params(), Path.of("catalog.json#" + model.id()));
        } catch (RuntimeException e) {
            problem = e.getMessage();
        }
        return new LibraryEntry(Kind.CATALOG, model.name(), model.description(), model, folder, state, present, spec, problem);
    }

    private LibraryEntry folderEntry(Kind kind, String name, String description, CatalogModel model, Path folder) {
        Path gguf = GgufModels.isGgufFile(folder) ? folder : soleGguf(folder);
        if (gguf != null) return ggufEntry(kind, name, description, model, gguf);
        Path params = folder.resolve(ModelLoader.PARAMS);
        if (!Files.isRegularFile(params)) {
            return new LibraryEntry(kind, name, description, model, folder, InstallState.NOT_INSTALLED,
                    folderSize(folder), null, "No " + ModelLoader.PARAMS + " in " + folder);
        }
        ModelSpec spec = null;
        String problem = "";
        try {
            JsonNode json = JSON.readTree(params.toFile());
            spec = specs.read(json, params);
        } catch (IOException e) {
            problem = params + " is not valid JSON: " + e.getMessage();
        } catch (RuntimeException e) {
            problem = e.getMessage();
        }
        return new LibraryEntry(kind, name, description, model, folder, InstallState.INSTALLED, folderSize(folder), spec, problem);
    }

    private static Path soleGguf(Path folder) {
        try {
            return GgufModels.soleModelIn(folder);
        } catch (RuntimeException e) { // several GGUF files: the folder entry says so below (no params.json)
            return null;
        }
    }

    /** A GGUF file (or a split model's first part) as an entry: its configuration from its metadata, its size on disk. */
    private static LibraryEntry ggufEntry(Kind kind, String name, String description, CatalogModel model, Path file) {
        long bytes = 0;
        for (int no = 1; no <= org.mambaplayground.engine.io.gguf.GgufFile.splitCount(file); no++) {
            String part = org.mambaplayground.engine.io.gguf.GgufFile.splitPart(file, no);
            bytes += size(part == null ? file : file.resolveSibling(part));
        }
        try {
            GgufModels.Summary summary = GgufModels.summary(file);
            String about = "GGUF, mostly " + summary.mainFormat() + (description.isEmpty() ? "" : " \u00b7 " + description);
            return new LibraryEntry(kind, name, about, model, file, InstallState.INSTALLED, bytes, summary.spec(), "");
        } catch (RuntimeException e) {
            return new LibraryEntry(kind, name, description, model, file, InstallState.INSTALLED, bytes, null, String.valueOf(e.getMessage()));
        }
    }

    private List<Path> userFolders() {
        Path file = settings.userFolders();
        if (!Files.isRegularFile(file)) return List.of();
        try (Stream<String> lines = Files.lines(file)) {
            return lines.map(String::strip).filter(l -> !l.isEmpty()).map(Path::of).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the list of added folders " + file + ": " + e.getMessage(), e);
        }
    }

    /** Read, change, write: serialized, since scans may run on several executor threads. */
    private synchronized void changeUserFolders(Consumer<Set<Path>> change) {
        Set<Path> folders = new LinkedHashSet<>(userFolders());
        change.accept(folders);
        writeUserFolders(folders);
    }

    private void writeUserFolders(Set<Path> folders) {
        Path file = settings.userFolders();
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, folders.stream().map(Path::toString).toList());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save the list of added folders to " + file + ": " + e.getMessage(), e);
        }
    }

    private static long folderSize(Path folder) {
        if (!Files.isDirectory(folder)) return 0;
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(ModelLibrary::size).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
