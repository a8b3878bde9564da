package org.mambaplayground.gui.shell;

import atlantafx.base.theme.Styles;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.Page;
import org.mambaplayground.gui.download.Downloads;
import org.mambaplayground.gui.download.DownloadsIndicator;

/** Navigation: one button per page, the downloads under way, the active model, the theme switch. */
public final class Sidebar extends VBox {
    private final ToggleGroup group = new ToggleGroup();

    public Sidebar(AppContext ctx) {
        getStyleClass().add("sidebar");
        setPadding(new Insets(16, 12, 12, 12));
        setSpacing(4);
        setPrefWidth(200);
        getChildren().add(brand());

        for (Page page : Page.values()) {
            ToggleButton button = new ToggleButton(page.title());
            button.setId("nav-" + page.name().toLowerCase());
            button.setToggleGroup(group);
            button.setUserData(page);
            button.setMaxWidth(Double.MAX_VALUE);
            button.getStyleClass().addAll("nav-button", Styles.FLAT);
            button.setTooltip(new Tooltip(page.description()));
            getChildren().add(button);
        }
        // Keep exactly one page selected: a click on the selected button does not deselect it.
        group.selectedToggleProperty().addListener((obs, was, now) -> {
            if (now == null) group.selectToggle(was);
            else ctx.navigate((Page) now.getUserData());
        });
        ctx.pageProperty().addListener((obs, was, now) -> select(now));
        select(ctx.pageProperty().get());

        Region spacer = new Region();
        VBox.setVgrow(spacer, Priority.ALWAYS);
        getChildren().addAll(spacer, new DownloadsIndicator(Downloads.of(ctx)), new ActiveModelBadge(ctx),
                new ThemeToggle(ctx.darkThemeProperty()));
    }

    private HBox brand() {
        Label name = new Label("Mamba");
        name.getStyleClass().addAll(Styles.TITLE_4);
        Label sub = new Label("Playground");
        sub.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        HBox box = new HBox(10, new VBox(0, name, sub));
        var icon = Sidebar.class.getResource("/org/mambaplayground/assets/icon-64.png");
        if (icon != null) {
            ImageView view = new ImageView(new Image(icon.toExternalForm(), 36, 36, true, true));
            box.getChildren().addFirst(view);
        }
        box.setPadding(new Insets(0, 0, 16, 4));
        box.setId("brand");
        box.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return box;
    }

    private void select(Page page) {
        group.getToggles().stream().filter(t -> t.getUserData() == page).findFirst().ifPresent(group::selectToggle);
    }
}
