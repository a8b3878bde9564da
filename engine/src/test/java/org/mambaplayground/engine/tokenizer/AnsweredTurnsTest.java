package org.mambaplayground.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AnsweredTurnsTest {
    @Test
    void consecutiveQuestionsJoinAndUnansweredOnesAreLeftOut() {
        List<ChatMessage> history = List.of(
                ChatMessage.system("be brief"),
                ChatMessage.assistant("an answer to nothing"),
                ChatMessage.user("first"),
                ChatMessage.user("second"),
                ChatMessage.assistant("both answered"),
                ChatMessage.user("again"),
                ChatMessage.assistant("yes"),
                ChatMessage.user("left hanging"));
        assertThat(AnsweredTurns.of(history)).containsExactly(
                new AnsweredTurns.Turn("first\n\nsecond", "both answered"),
                new AnsweredTurns.Turn("again", "yes"));
    }
}
