package org.mambaplayground.gui.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One language's highlighting table: ordered regex rules, each naming the CSS class its matches get.
 * Earlier rules win where two could start at the same place, so comments and strings come before keywords.
 */
public final class CodeLanguage {
    /** One row of the table. */
    public record Rule(String regex, String styleClass) {}

    private final String name;
    private final Set<String> aliases;
    private final List<Rule> rules;
    private final Pattern combined;

    public CodeLanguage(String name, Set<String> aliases, List<Rule> rules) {
        this.name = name;
        this.aliases = Set.copyOf(aliases);
        this.rules = List.copyOf(rules);
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            groups.add("(?<g" + i + ">" + rules.get(i).regex() + ")");
        }
        this.combined = Pattern.compile(String.join("|", groups), Pattern.MULTILINE);
    }

    public String name() { return name; }

    public Set<String> aliases() { return aliases; }

    public List<Rule> rules() { return rules; }

    Pattern combinedPattern() { return combined; }

    /** Regex matching any of the words as a whole word. */
    static String words(String... words) {
        return "\\b(?:" + String.join("|", words) + ")\\b";
    }
}
