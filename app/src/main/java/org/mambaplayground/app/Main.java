package org.mambaplayground.app;

import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mamba-playground} launcher: with no subcommand it opens the window (window options such as
 * {@code --load-demo} go to the GUI unchanged); {@code chat}, {@code serve}, {@code download} and {@code bench} work in the terminal.
 */
@Command(name = "mamba-playground", mixinStandardHelpOptions = true, version = "Mamba Playground 0.1.0",
        description = "A playground for Codestral Mamba and Mistral models on a pure-Java CPU engine. "
                + "Without a command it opens the window.",
        subcommands = {ChatCommand.class, ServeCommand.class, DownloadCommand.class, BenchCommand.class, LogitsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    private static final Set<String> OWN_OPTIONS = Set.of("-h", "--help", "-V", "--version");

    @Override
    public void run() { /* no subcommand: main() opens the window */ }

    /** True when the arguments are for the window rather than for a subcommand or the launcher's help. */
    static boolean opensWindow(String[] args) {
        return args.length == 0 || args[0].startsWith("-") && !OWN_OPTIONS.contains(args[0]);
    }

    public static void main(String[] args) {
        if (opensWindow(args)) {
            org.mambaplayground.gui.Launcher.main(args);
            return;
        }
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
