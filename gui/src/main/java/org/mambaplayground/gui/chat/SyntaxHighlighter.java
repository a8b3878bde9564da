package org.mambaplayground.gui.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import org.fxmisc.richtext.model.StyleSpans;
import org.fxmisc.richtext.model.StyleSpansBuilder;

/** Splits code into styled tokens with a language's rule table; RichTextFX shows them as style spans. */
public final class SyntaxHighlighter {
    /** A styled stretch of the code: [start, end) gets the CSS class. */
    public record Token(int start, int end, String styleClass) {
        public String text(String code) { return code.substring(start, end); }
    }

    private SyntaxHighlighter() {}

    /** The styled tokens of {@code code}, in order, not overlapping; text between them is unstyled. */
    public static List<Token> tokens(CodeLanguage language, String code) {
        List<Token> tokens = new ArrayList<>();
        Matcher matcher = language.combinedPattern().matcher(code);
        int groups = language.rules().size();
        while (matcher.find()) {
            if (matcher.end() == matcher.start()) {
                continue; // an empty match styles nothing
            }
            for (int i = 0; i < groups; i++) {
                if (matcher.start("g" + i) >= 0) {
                    tokens.add(new Token(matcher.start(), matcher.end(), language.rules().get(i).styleClass()));
                    break;
                }
            }
        }
        return tokens;
    }

    /** Style spans covering all of {@code code}; a null language gives one plain span. */
    public static StyleSpans<Collection<String>> styleSpans(CodeLanguage language, String code) {
        StyleSpansBuilder<Collection<String>> builder = new StyleSpansBuilder<>();
        int last = 0;
        if (language != null) {
            for (Token token : tokens(language, code)) {
                builder.add(Collections.emptyList(), token.start() - last);
                builder.add(List.of(token.styleClass()), token.end() - token.start());
                last = token.end();
            }
        }
        builder.add(Collections.emptyList(), code.length() - last);
        return builder.create();
    }
}
