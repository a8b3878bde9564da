package org.mambaplayground.downloader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.mambaplayground.downloader.HubException.Kind;

/**
 * The token file huggingface_hub keeps ($HF_TOKEN_PATH, else $HF_HOME/token, default ~/.cache/huggingface/token):
 * the token alone, readable by its owner only (0600). `hf auth login` writes it; we read and write the same file.
 */
final class TokenFile {
    private TokenFile() {}

    static Path location(Map<String, String> env, Path hfHome) {
        String tokenPath = env.get("HF_TOKEN_PATH");
        return tokenPath != null && !tokenPath.isBlank() ? HubSettings.expandHome(tokenPath) : hfHome.resolve("token");
    }

    /** The token in {@code file}, or null when there is none or it cannot be read. */
    static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? HubSettings.clean(Files.readString(file, StandardCharsets.UTF_8)) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Writes the token, created 0600 before the token goes in so it is never readable by others, then moved into place. */
    static void write(Path file, String token) throws HubException {
        String t = HubSettings.clean(token);
        if (t == null) throw new HubException(Kind.BAD_INPUT, "No token to save", "Type the token first.");
        Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, t, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new HubException(Kind.LOCAL_IO, "Cannot save the token to " + file + ": " + HubHttp.describe(e),
                    "Check that the folder can be written, or set HF_TOKEN instead.", null, e);
        }
    }
}
