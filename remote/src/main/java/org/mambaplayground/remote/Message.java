package org.mambaplayground.remote;

/** One chat message as the OpenAI and Mistral APIs carry it: role {@code system}, {@code user} or {@code assistant}. */
public record Message(String role, String content) {
    public Message {
        if (!role.equals("system") && !role.equals("user") && !role.equals("assistant")) {
            throw new IllegalArgumentException("A message's role is system, user or assistant, got '" + role + "'");
        }
        if (content == null) throw new IllegalArgumentException("A " + role + " message needs content");
    }

    public static Message system(String text) { return new Message("system", text); }
    public static Message user(String text) { return new Message("user", text); }
    public static Message assistant(String text) { return new Message("assistant", text); }
}
