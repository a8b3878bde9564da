package org.mambaplayground.gui.chat;

import java.util.List;

/**
 * A conversation as saved on disk and exported: its messages in order, each answer with all its
 * alternatives and the one shown.
 *
 * @param id       the file's name, stable across renames
 * @param title    what the conversation list shows
 * @param updated  epoch milliseconds of the last change (the list shows the newest first)
 * @param model    the model that answered last, for the reader
 * @param system   the system prompt the conversation started with (may be empty)
 * @param instruct whether the chat format was on (off: a plain completion)
 */
public record SavedConversation(String id, String title, long updated, String model, String system, boolean instruct,
                                List<Message> messages) {

    public SavedConversation {
        messages = messages == null ? List.of() : List.copyOf(messages);
        title = title == null || title.isBlank() ? "New chat" : title;
        system = system == null ? "" : system;
    }

    /**
     * @param role         "user", "assistant" or "note"
     * @param alternatives the texts (an answer regenerated has several; other messages one)
     * @param shown        the index of the alternative shown
     * @param stats        the figures line of an answer, empty if none
     */
    public record Message(String role, List<String> alternatives, int shown, String stats) {
        public Message {
            alternatives = alternatives == null || alternatives.isEmpty() ? List.of("") : List.copyOf(alternatives);
            shown = Math.clamp(shown, 0, alternatives.size() - 1);
            stats = stats == null ? "" : stats;
        }

        public String text() { return alternatives.get(shown); }
    }

    public SavedConversation withTitle(String newTitle) {
        return new SavedConversation(id, newTitle, updated, model, system, instruct, messages);
    }
}
