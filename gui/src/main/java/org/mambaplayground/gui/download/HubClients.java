package org.mambaplayground.gui.download;

import org.mambaplayground.downloader.HubClient;

/** Makes hub clients for the wizard: from the environment (HF_ENDPOINT, HF_HOME...) plus the token typed in. */
@FunctionalInterface
public interface HubClients {
    /** @param token a token the user typed, or null/blank to use HF_TOKEN or the saved token, if any */
    HubClient create(String token);

    HubClients ENVIRONMENT = token -> {
        HubClient.Builder builder = HubClient.builder();
        if (token != null && !token.isBlank()) builder.token(token.strip());
        return builder.build();
    };
}
