package org.mambaplayground.gui.download;

import org.mambaplayground.downloader.HubClient;

/** Makes hub clients for the wizard: from the environment (HF_ENDPOINT, HF_HOME...) plus the token typed in. */
@FunctionalInterface
public interface HubClients {
    /** How a user of the window gives a token, as the hub's hints should say it (not a command-line option). */
    String TOKEN_HINT = "the token field, HF_TOKEN or the saved token";

    /** The hub's settings before the token is chosen: the environment, or a test hub. */
    HubClient.Builder builder();

    /** @param token a token the user typed, or null/blank to use HF_TOKEN or the saved token, if any */
    default HubClient create(String token) {
        HubClient.Builder builder = builder().tokenHint(TOKEN_HINT);
        if (token != null && !token.isBlank()) builder.token(token.strip());
        return builder.build();
    }

    HubClients ENVIRONMENT = HubClient::builder;
}
