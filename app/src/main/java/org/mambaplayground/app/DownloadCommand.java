package org.mambaplayground.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.mambaplayground.assets.Catalog;
import org.mambaplayground.assets.CatalogModel;
import java.util.concurrent.CancellationException;
import org.mambaplayground.downloader.Bytes;
import org.mambaplayground.downloader.Download;
import org.mambaplayground.downloader.DownloadPlan;
import org.mambaplayground.downloader.DownloadResult;
import org.mambaplayground.downloader.FilePatterns;
import org.mambaplayground.downloader.GgufChoices;
import org.mambaplayground.downloader.GgufFit;
import org.mambaplayground.downloader.HubClient;
import org.mambaplayground.downloader.HubException;
import org.mambaplayground.downloader.RepoListing;
import org.mambaplayground.engine.load.MachineMemory;
import org.mambaplayground.gui.Settings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code download <repo> [--include PATTERN]... [--all] [--revision R] [--dir D] [--token T]}: the hub downloader
 * with a terminal progress bar. For a catalog model it fetches only the files the engine reads (not the
 * transformers-format shards beside them). Interrupted downloads (Ctrl-C, kill, lost network) resume when the
 * same command runs again. Reads HF_TOKEN, HF_ENDPOINT, HF_HOME and HF_HUB_OFFLINE like huggingface_hub, and
 * MAMBA_MODELS like the app.
 */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Download a model from the Hugging Face hub: resumable, verified with sha256.",
                "For a known model, only the files the engine uses (params.json, consolidated.safetensors, the tokenizer);"
                        + " --all or --include for others.",
                "Files go to the model store (~/mistral_models, or MAMBA_MODELS)/<name>/ unless --dir says otherwise."},
        footer = {"", "Example:", "  download mistralai/Mamba-Codestral-7B-v0.1",
                "", "Environment: HF_TOKEN, HF_ENDPOINT, HF_HOME, HF_HUB_OFFLINE (as in huggingface_hub); MAMBA_MODELS.",
                "Token: --token, else HF_TOKEN, else the saved token ($HF_HOME/token, as `hf auth login` or the app's"
                        + " 'Remember it' writes it)."})
public final class DownloadCommand implements Callable<Integer> {

    static final int EXIT_CANCELLED = 130;

    @Parameters(index = "0", paramLabel = "REPO", description = "Repository id, e.g. mistralai/Mamba-Codestral-7B-v0.1")
    String repo;

    @Option(names = "--include", paramLabel = "PATTERN",
            description = "Only files matching this pattern (fnmatch: * matches across folders). Repeatable.")
    List<String> include = new ArrayList<>();

    @Option(names = "--all", description = "Every file of the repository, also those the engine does not read.")
    boolean all;

    @Option(names = "--exclude", paramLabel = "PATTERN", description = "Skip files matching this pattern. Repeatable.")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--revision", paramLabel = "R", defaultValue = "main", description = "Branch, tag or commit (default: ${DEFAULT-VALUE}).")
    String revision;

    @Option(names = "--dir", paramLabel = "D", description = "Target folder (default: the model store, ~/mistral_models or MAMBA_MODELS, /<name>).")
    Path dir;

    @Option(names = "--token", paramLabel = "T", description = "Hugging Face token (default: HF_TOKEN, else the saved token in $HF_HOME/token).")
    String token;

    @Option(names = "--endpoint", paramLabel = "URL", description = "Hub or mirror URL (default: HF_ENDPOINT or https://huggingface.co).")
    String endpoint;

    @Option(names = "--hf-home", paramLabel = "DIR", description = "Hugging Face home for the token file and cache (default: HF_HOME).")
    Path hfHome;

    @Option(names = "--gguf", paramLabel = "QUANT",
            description = "For a repository of GGUF files: the quantization to fetch (Q4_K_M, Q8_0... or a file name), or "
                    + "'best' for the largest this machine runs. Without it such a repository's files are listed with what fits.")
    String gguf;

    @Option(names = "--dry-run", description = "Show the plan (files, sizes, free space) and stop.")
    boolean dryRun;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "4", description = "Files downloaded at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    /** The app's model store (MAMBA_MODELS, -Dmamba.models or ~/mistral_models), so the GUI finds what the CLI fetched. */
    private final Supplier<Path> modelStore;

    public DownloadCommand() {
        this(System.out, System.err, System.console() != null && System.console().isTerminal());
    }

    DownloadCommand(PrintStream out, PrintStream err, boolean terminal) {
        this(out, err, terminal, () -> Settings.fromEnvironment().modelStore());
    }

    DownloadCommand(PrintStream out, PrintStream err, boolean terminal, Supplier<Path> modelStore) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.modelStore = modelStore;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new DownloadCommand()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        if (parallel < 1) throw new ParameterException(spec.commandLine(), "--parallel must be at least 1, got " + parallel);
        HubClient.Builder builder = HubClient.builder().parallelFiles(parallel);
        if (token != null) builder.token(token);
        if (endpoint != null) builder.endpoint(endpoint);
        if (hfHome != null) builder.hfHome(hfHome);
        HubClient client;
        try {
            client = builder.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (all && !include.isEmpty()) throw new ParameterException(spec.commandLine(), "--all and --include exclude each other");
        Optional<CatalogModel> known = Catalog.bundled().byRepo(repo);
        try (HubClient hub = client) {
            RepoListing listing = hub.list(repo, revision);
            Path target = dir != null ? dir : modelStore.get().resolve(
                    known.map(CatalogModel::folder).orElse(HubClient.defaultDir(listing.repoId()).getFileName().toString()));
            boolean engineFiles = include.isEmpty() && !all && known.isPresent();
            List<String> wanted = engineFiles ? known.get().fileNames() : include;
            if (engineFiles) out.println("Only the files the engine uses (--all for every file of the repository).");
            if (include.isEmpty() && !all && known.isEmpty() && (gguf != null || GgufChoices.hasGguf(listing))) {
                wanted = ggufFiles(listing); // a GGUF repository: one quantization, chosen from the listing
                if (wanted == null) return gguf == null ? 0 : 1;
            }
            DownloadPlan plan = hub.plan(listing, FilePatterns.of(wanted, exclude), target);
            printPlan(plan, hub);
            if (dryRun) return plan.fitsOnDisk() ? 0 : 1;
            if (plan.isComplete()) {
                out.println("Everything is already here and verified.");
                return 0;
            }
            TerminalProgress progress = new TerminalProgress(out, terminal);
            Download download = hub.start(plan, progress);
            Interrupts.onCtrlC(download::cancel);  // Ctrl+C stops cleanly; the part files stay for the next run
            try {
                DownloadResult r = download.await();
                progress.finish();
                out.printf("Downloaded %s in %s to %s (commit %s)%n", Bytes.format(r.bytesFetched()),
                        Bytes.duration(r.elapsed()), r.dir(), r.commit().substring(0, 12));
                return 0;
            } catch (CancellationException e) {
                progress.finish();
                err.println("Cancelled. Run the same command again to resume.");
                return EXIT_CANCELLED;
            }
        } catch (HubException e) {
            err.println();
            err.println("error: " + e.getMessage());
            if (!e.hint().isEmpty()) err.println(e.hint());
            return 1;
        }
    }

    /** The files of the chosen GGUF quantization; null (after saying why) when there is nothing to fetch yet. */
    private List<String> ggufFiles(RepoListing listing) {
        List<GgufChoices.Choice> choices = GgufChoices.of(listing);
        if (choices.isEmpty()) throw new ParameterException(spec.commandLine(), "--gguf: " + listing.repoId() + " holds no .gguf files");
        GgufFit fit = GgufPicker.fit(MachineMemory.read());
        GgufPicker.print(out, choices, fit);
        if (gguf == null) {
            out.println("Choose one with --gguf QUANT (e.g. --gguf " + fit.recommend(choices)
                    .map(GgufChoices.Choice::quantization).orElse("Q4_K_M") + "), or --gguf best.");
            return null;
        }
        Optional<GgufChoices.Choice> chosen = gguf.equalsIgnoreCase("best") ? fit.recommend(choices)
                : GgufChoices.find(choices, gguf);
        if (chosen.isEmpty()) {
            err.println("error: " + (gguf.equalsIgnoreCase("best") ? "no GGUF file of " + listing.repoId() + " that this engine runs fits this machine"
                    : listing.repoId() + " has no GGUF file " + gguf + " (listed above)"));
            return null;
        }
        if (!chosen.get().supported()) err.println("warning: " + chosen.get().quantization() + " holds tensor types this engine does not run");
        return chosen.get().paths();
    }

    private void printPlan(DownloadPlan plan, HubClient hub) {
        RepoListing l = plan.listing();
        out.printf("%s @ %s (commit %s)%s%n", l.repoId(), l.revision(), l.commit().substring(0, 12),
                l.isGated() ? ", gated" : "");
        for (DownloadPlan.PlannedFile f : plan.files()) {
            String state = switch (f.status()) {
                case COMPLETE -> "complete";
                case PARTIAL -> "resume at " + Bytes.format(f.bytesPresent());
                case UNVERIFIED -> "present, to verify";
                case MISSING -> f.source() != null ? "copy from HF cache" : "";
            };
            out.printf("  %-48s %10s  %s%n", f.file().path(), Bytes.format(f.file().size()), state);
        }
        out.printf("%d files, %s; %s to fetch into %s (%s free)%s%n", plan.files().size(), Bytes.format(plan.totalBytes()),
                Bytes.format(plan.bytesToFetch()), plan.targetDir(), Bytes.format(plan.freeBytes()),
                hub.hasToken() ? "" : "; no token");
    }
}
