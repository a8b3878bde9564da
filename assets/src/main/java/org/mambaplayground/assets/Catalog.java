package org.mambaplayground.assets;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/** The known models (catalog.json in this module's resources). */
public final class Catalog {
    private static final String RESOURCE = "catalog.json";
    private final List<CatalogModel> models;
    private final List<CatalogModel> downloadable;

    private Catalog(List<CatalogModel> models) {
        this.models = List.copyOf(models);
        this.downloadable = this.models.stream()
                .flatMap(m -> java.util.stream.Stream.concat(java.util.stream.Stream.of(m), m.ggufModels().stream())).toList();
    }

    /** The catalog bundled with the application. */
    public static Catalog bundled() {
        try (InputStream in = Catalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("Resource " + RESOURCE + " is missing from the assets jar");
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the bundled " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    static Catalog read(InputStream in) throws IOException {
        ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        Document doc = json.readValue(in, Document.class);
        return new Catalog(doc.models());
    }

    public List<CatalogModel> models() { return models; }

    /** What the download wizard offers: each model, followed by its GGUF repositories ({@link CatalogModel#ggufModels()}). */
    public List<CatalogModel> downloadable() { return downloadable; }

    /** {@code model}'s GGUF repositories, as {@link #downloadable()} holds them. */
    public List<CatalogModel> ggufModelsOf(CatalogModel model) {
        return downloadable.stream().filter(m -> m.ggufRepository() && m.id().startsWith(model.id() + ":")).toList();
    }

    /** A model or one of their GGUF repositories. */
    public Optional<CatalogModel> byId(String id) {
        return downloadable.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    public Optional<CatalogModel> byRepo(String repo) {
        return models.stream().filter(m -> m.repo().equalsIgnoreCase(repo)).findFirst();
    }

    private record Document(List<CatalogModel> models) {}
}
