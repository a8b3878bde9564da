package org.mambaplayground.gui;

/** The main views, in sidebar order. */
public enum Page {
    LIBRARY("Library", "Models on disk, the catalog, downloads"),
    CHAT("Chat", "Talk to the loaded model"),
    CHARTS("Charts", "State memory and latency, measured and analytic"),
    COMPARE("Compare", "One prompt, two models side by side"),
    SERVER("Server", "OpenAI-compatible API for the loaded model");

    private final String title;
    private final String description;

    Page(String title, String description) {
        this.title = title;
        this.description = description;
    }

    public String title() { return title; }

    public String description() { return description; }

    /** Parses a page name case-insensitively ("chat", "Library"), for --page and -Dmamba.page. */
    public static Page parse(String name) {
        for (Page p : values()) {
            if (p.name().equalsIgnoreCase(name.strip())) return p;
        }
        throw new IllegalArgumentException("Unknown page '" + name + "': use one of library, chat, charts, compare, server");
    }
}
