package org.mambaplayground.downloader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GGUF files of a repository as the choices a user makes: one per quantization (a model split by gguf-split,
 * {@code -00001-of-00003.gguf}, is one choice of all its parts), with its size and whether this engine runs the
 * tensor types the quantization's name stands for. Largest first.
 */
public final class GgufChoices {
    /** The quantization label at the end of a file's name: Q4_K_M, Q8_0, IQ4_XS, BF16... */
    private static final Pattern LABEL = Pattern.compile("(?i)[-._]((?:I?Q\\d(?:_[0-9A-Z]+)*)|BF16|F16|F32)$");
    private static final Pattern SPLIT = Pattern.compile("(?i)-(\\d{5})-of-(\\d{5})$");
    /**
     * Labels whose tensors are all in types the engine computes (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K): the
     * _S/_M/_L mixes of Q4_K and Q5_K add Q5_K/Q6_K/Q8_0 tensors; Q2_K, Q3_K, Q4_1, Q5_0, Q5_1 and the IQ types do not run.
     */
    private static final Set<String> SUPPORTED = Set.of("F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K_S", "Q4_K_M", "Q4_K_L",
            "Q5_K_S", "Q5_K_M", "Q5_K_L", "Q6_K", "Q6_K_L", "Q4_K", "Q5_K");

    /**
     * @param name         the file's name without the split suffix and extension (what the Library shows)
     * @param quantization the label ("Q4_K_M"), or "unknown" when the name carries none
     * @param files        the file, or every part of a split model in order
     * @param supported    whether the engine runs every tensor type the label stands for
     */
    public record Choice(String name, String quantization, List<RepoFile> files, boolean supported) {
        public Choice {
            files = List.copyOf(files);
        }

        public long bytes() { return files.stream().mapToLong(RepoFile::size).sum(); }

        /** Whether the split model has all its parts in the listing. */
        public boolean complete() {
            Matcher m = SPLIT.matcher(stem(files.getFirst().path()));
            return !m.find() || files.size() == Integer.parseInt(m.group(2));
        }

        public List<String> paths() { return files.stream().map(RepoFile::path).toList(); }
    }

    private GgufChoices() {}

    public static boolean hasGguf(RepoListing listing) {
        return listing.files().stream().anyMatch(f -> isGguf(f.path()));
    }

    public static List<Choice> of(RepoListing listing) {
        Map<String, List<RepoFile>> byModel = new LinkedHashMap<>();
        for (RepoFile f : listing.files()) {
            if (!isGguf(f.path())) continue;
            String stem = SPLIT.matcher(stem(f.path())).replaceFirst("");
            byModel.computeIfAbsent(stem, k -> new ArrayList<>()).add(f);
        }
        List<Choice> choices = new ArrayList<>();
        for (Map.Entry<String, List<RepoFile>> e : byModel.entrySet()) {
            List<RepoFile> parts = new ArrayList<>(e.getValue());
            parts.sort(java.util.Comparator.comparing(RepoFile::path));
            String name = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
            Matcher m = LABEL.matcher(name);
            String label = m.find() ? m.group(1).toUpperCase(Locale.ROOT) : "unknown";
            choices.add(new Choice(name, label, parts, SUPPORTED.contains(label)));
        }
        choices.sort(java.util.Comparator.comparingLong(Choice::bytes).reversed());
        return choices;
    }

    /** The choice whose quantization or file name is {@code wanted} (case-insensitive), if any. */
    public static java.util.Optional<Choice> find(List<Choice> choices, String wanted) {
        return choices.stream().filter(c -> c.quantization().equalsIgnoreCase(wanted) || c.name().equalsIgnoreCase(wanted)
                || c.paths().stream().anyMatch(p -> p.equalsIgnoreCase(wanted))).findFirst();
    }

    private static boolean isGguf(String path) { return path.toLowerCase(Locale.ROOT).endsWith(".gguf"); }

    private static String stem(String path) { return path.substring(0, path.length() - ".gguf".length()); }
}
