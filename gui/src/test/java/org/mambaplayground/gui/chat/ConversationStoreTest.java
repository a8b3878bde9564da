package org.mambaplayground.gui.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saved conversations on disk, their exports, and the language a prompt is written in. */
class ConversationStoreTest {
    @TempDir Path dir;

    private static SavedConversation conversation(String id, long updated) {
        return new SavedConversation(id, "Primes", updated, "demo", "Be brief.", true, List.of(
                new SavedConversation.Message("user", List.of("# not a heading\nis 7 prime?"), 0, ""),
                new SavedConversation.Message("assistant", List.of("No.", "Yes, 7 is prime."), 1, "5 tokens")));
    }

    @Test
    void savedConversationsComeBackNewestFirstWithTheirAlternatives() throws Exception {
        ConversationStore store = new ConversationStore(dir.resolve("conversations"));
        store.save(conversation("a1", 10));
        store.save(conversation("b2", 20).withTitle("Renamed"));
        Files.writeString(dir.resolve("conversations/broken.json"), "{not json");

        List<SavedConversation> listed = store.list();
        assertThat(listed).extracting(SavedConversation::id).containsExactly("b2", "a1");
        assertThat(listed.getFirst().title()).isEqualTo("Renamed");
        assertThat(listed.get(1)).isEqualTo(conversation("a1", 10));
        assertThat(listed.get(1).messages().get(1).text()).isEqualTo("Yes, 7 is prime.");
        assertThat(store.problems()).singleElement().asString().contains("broken.json");

        store.delete("a1");
        assertThat(new ConversationStore(dir.resolve("conversations")).list()).extracting(SavedConversation::id).containsExactly("b2");
    }

    @Test
    void exportsMarkdownWithTheUsersTextKeptAsTypedAndJsonThatReadsBack() throws Exception {
        String md = ConversationStore.markdown(conversation("a1", 10));
        assertThat(md).startsWith("# Primes\n").contains("## You\n\n````\n# not a heading\nis 7 prime?\n````")
                .contains("## Assistant\n\nYes, 7 is prime.").contains("**System:** Be brief.");
        Path json = dir.resolve("out.json");
        ConversationStore.exportJson(conversation("a1", 10), json);
        assertThat(Files.readString(json)).contains("\"alternatives\"").contains("Yes, 7 is prime.");
    }

    @Test
    void detectsTheLanguageOfCodeAndNotOfProse() {
        assertThat(CodeLanguages.detect("import os\n\ndef main():\n    return os.getcwd()\n")).map(CodeLanguage::name).contains("python");
        assertThat(CodeLanguages.detect("#include <stdio.h>\nint main(void) {\n  printf(\"hi\");\n}")).map(CodeLanguage::name).contains("c/c++");
        assertThat(CodeLanguages.detect("fn main() {\n    let mut x = 1;\n    println!(\"{}\", x);\n}")).map(CodeLanguage::name).contains("rust");
        assertThat(CodeLanguages.detect("Tell me a story about a cat who returns home.")).isEmpty();
        assertThat(CodeLanguages.detect("Here:\n```python\ndef f():\n    return 1\n```")).isEmpty();
    }
}
