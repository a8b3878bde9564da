package org.mambaplayground.gui.chat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Saved conversations, one JSON file each in a folder of the app's settings; and their exports. */
public final class ConversationStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path folder;
    private final List<String> problems = new ArrayList<>();

    public ConversationStore(Path folder) {
        this.folder = folder;
    }

    public Path folder() { return folder; }

    /** The saved conversations, newest first; a file that cannot be read is skipped and named in {@link #problems}. */
    public List<SavedConversation> list() {
        problems.clear();
        if (!Files.isDirectory(folder)) return List.of();
        List<SavedConversation> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                try {
                    all.add(JSON.readValue(file.toFile(), SavedConversation.class));
                } catch (IOException e) {
                    problems.add(file + ": not a saved conversation (" + e.getClass().getSimpleName() + ")");
                }
            }
        } catch (IOException e) {
            problems.add(folder + ": cannot list it (" + e.getMessage() + ")");
        }
        all.sort(Comparator.comparingLong(SavedConversation::updated).reversed());
        return all;
    }

    /** Files {@link #list} skipped, one line each. */
    public List<String> problems() { return List.copyOf(problems); }

    /** Writes the conversation (replacing its earlier version) through a temporary file, so a crash leaves the old one. */
    public void save(SavedConversation conversation) {
        try {
            Files.createDirectories(folder);
            Path target = file(conversation.id());
            Path temp = target.resolveSibling(target.getFileName() + ".tmp");
            JSON.writeValue(temp.toFile(), conversation);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the conversation in " + folder + ": " + e.getMessage(), e);
        }
    }

    public void delete(String id) {
        try {
            Files.deleteIfExists(file(id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file(id) + ": " + e.getMessage(), e);
        }
    }

    private Path file(String id) {
        if (!id.matches("[A-Za-z0-9-]+")) throw new IllegalArgumentException("not a conversation id: " + id);
        return folder.resolve(id + ".json");
    }

    public static void exportJson(SavedConversation conversation, Path target) throws IOException {
        JSON.writeValue(target.toFile(), conversation);
    }

    public static void exportMarkdown(SavedConversation conversation, Path target) throws IOException {
        Files.writeString(target, markdown(conversation));
    }

    /** The conversation as a Markdown document: a title, the system prompt, then each message under its speaker. */
    public static String markdown(SavedConversation c) {
        StringBuilder md = new StringBuilder("# ").append(c.title()).append("\n\n");
        if (c.model() != null && !c.model().isBlank()) md.append("Model: ").append(c.model()).append("\n\n");
        if (!c.system().isBlank()) md.append("**System:** ").append(c.system()).append("\n\n");
        for (SavedConversation.Message m : c.messages()) {
            switch (m.role()) {
                case "user" -> md.append("## You\n\n").append(fencedIfNeeded(m.text())).append("\n\n");
                case "assistant" -> md.append("## Assistant\n\n").append(m.text().strip()).append("\n\n");
                default -> md.append("> ").append(m.text().replace("\n", "\n> ")).append("\n\n");
            }
        }
        return md.toString();
    }

    /** A user's text is plain: lines that markdown would turn into headings or lists keep their look in a fence. */
    private static String fencedIfNeeded(String text) {
        boolean looksLikeMarkup = text.lines().anyMatch(l -> l.matches("\\s*(#|=+\\s*$|-+\\s*$|[*+-] |\\d+\\. |```).*"));
        return looksLikeMarkup ? "````\n" + text + "\n````" : text;
    }
}
