package org.mambaplayground.remote;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import org.mambaplayground.backend.Median;
import org.mambaplayground.backend.ProbeRequest;
import org.mambaplayground.backend.ProbeResult;
import org.mambaplayground.backend.ReplyStats;
import org.mambaplayground.engine.generate.CancellationToken;

/**
 * {@code bench --endpoint}: time to first token and decode speed of a remote model, as the local bench reports its
 * own (the median run first, the best second), measured at the client: network and the server's queue included.
 * One untimed run first opens the connection and learns how long the filler prompt is in the server's tokens.
 */
public final class RemoteBench {
    private RemoteBench() {}

    public record Options(int promptTokens, int decodeTokens, int repeats) {
        public Options {
            if (promptTokens < 2 || decodeTokens < 2 || repeats < 1) {
                throw new IllegalArgumentException("--prompt and --decode must be at least 2, --repeats at least 1");
            }
        }
    }

    /** Every timed run's figures. */
    public record Result(String model, Endpoint endpoint, List<ReplyStats> runs) {
        public double ttftMedian() { return median(ReplyStats::timeToFirstTokenMillis); }
        public double ttftBest() { return runs.stream().mapToDouble(ReplyStats::timeToFirstTokenMillis).min().orElse(Double.NaN); }
        public double prefillMedian() { return median(ReplyStats::prefillTokensPerSecond); }
        public double prefillBest() { return runs.stream().mapToDouble(ReplyStats::prefillTokensPerSecond).max().orElse(Double.NaN); }
        public double decodeMedian() { return median(ReplyStats::tokensPerSecond); }
        public double decodeBest() { return runs.stream().mapToDouble(ReplyStats::tokensPerSecond).max().orElse(Double.NaN); }

        private double median(ToDoubleFunction<ReplyStats> figure) { return Median.of(runs.stream().mapToDouble(figure).toArray()); }

        public String summary() {
            ReplyStats first = runs.getFirst();
            boolean usage = runs.stream().allMatch(r -> r.tokenSource() == ReplyStats.TokenSource.USAGE);
            int prompt = (int) Median.of(runs.stream().mapToDouble(ReplyStats::promptTokens).toArray());
            int decoded = (int) Median.of(runs.stream().mapToDouble(ReplyStats::completionTokens).toArray());
            return String.format(Locale.ROOT, """
                    Remote model %s at %s (%s), measured at the client: network and the server's queue included
                    Time to first token: %.0f ms median run, %.0f ms best (%d runs, prompt %s tokens)
                    Prefill: %.1f tokens/s median run, %.1f best (the prompt's tokens over the time to first token)
                    Decode:  %.2f tokens/s median run, %.2f best (%d runs of %d tokens%s)""",
                    model, endpoint.label(), endpoint.kind().label(), ttftMedian(), ttftBest(), runs.size(),
                    first.promptTokens() < 0 ? "unknown" : String.valueOf(prompt), prefillMedian(), prefillBest(),
                    decodeMedian(), decodeBest(), runs.size(), decoded,
                    usage ? ", counted by the server" : ", counted as stream chunks: the server sent no usage");
        }
    }

    /** Runs the benchmark; {@code log} gets a line per run. Throws CancellationException when cancelled. */
    public static Result run(RemoteBackend backend, Options options, Consumer<String> log, CancellationToken cancel) {
        ProbeRequest request = new ProbeRequest(options.promptTokens(), options.decodeTokens(), 1);
        log.accept("Warming up (one untimed run: the connection, and the prompt's length in the server's tokens)...");
        if (backend.probe(request, cancel, null) == null) throw new CancellationException();
        List<ReplyStats> runs = new ArrayList<>();
        for (int i = 0; i < options.repeats(); i++) {
            ProbeResult result = backend.probe(request, cancel, null);
            if (result == null) throw new CancellationException();
            ReplyStats s = result.stats();
            runs.add(s);
            log.accept(String.format(Locale.ROOT, "  run %d/%d: first token after %.0f ms (prompt %d tokens); decode %.2f tokens/s (%d tokens)",
                    i + 1, options.repeats(), s.timeToFirstTokenMillis(), s.promptTokens(), s.tokensPerSecond(), s.completionTokens()));
        }
        return new Result(backend.name(), backend.client().endpoint(), runs);
    }
}
