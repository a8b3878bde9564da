package org.mambaplayground.gui.chat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.Locale;
import java.util.concurrent.Executor;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.event.EventHandler;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextInputDialog;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.stage.FileChooser;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Separator;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextArea;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.mambaplayground.backend.ContextFigures;
import org.mambaplayground.backend.Conversation;
import org.mambaplayground.backend.LocalBackend;
import org.mambaplayground.backend.ModelBackend;
import org.mambaplayground.backend.Reply;
import org.mambaplayground.backend.ReplyListener;
import org.mambaplayground.backend.ReplyStats;
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.ChatSession;
import org.mambaplayground.engine.generate.FinishReason;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.generate.StateCheckpoints;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.engine.tokenizer.ChatMessage;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.library.LibraryEntry;
import org.mambaplayground.gui.metrics.GenerationGate;
import org.mambaplayground.gui.metrics.MetricsStore;
import org.mambaplayground.gui.models.ModelHandle;
import org.mambaplayground.gui.run.GenerationRunner;
import org.mambaplayground.gui.run.Hold;

/**
 * Chat with the active model (a local one or a remote endpoint's, behind {@link ModelBackend}): streaming markdown answers, sampling settings, stop and regenerate,
 * per-message figures, the prompt-processing phase and a live context gauge, keyboard shortcuts,
 * a transcript that follows the stream while the user is at the bottom, saved conversations and a model
 * picker. Answers run through the app's {@link GenerationRunner} (gate, hold, stream batches, metrics).
 */
public final class ChatView extends BorderPane {
    public static final String STYLESHEET = ChatView.class.getResource("chat.css").toExternalForm();

    private final ObservableValue<ModelBackend> activeModel;
    private final GenerationRunner runner;

    private final VBox transcript = new VBox(10);
    private final ScrollPane transcriptScroll = new ScrollPane(transcript);
    private final TextArea input = new TextArea();
    private final Button send = new Button("Send");
    private final Button stop = new Button("Stop");
    private final Button regenerate = new Button("Regenerate");
    private final Button newChat = new Button("New chat");
    private final TextArea systemPrompt = new TextArea();
    private final Slider temperature = new Slider(0, 2, 0.7);
    private final Slider topP = new Slider(0.05, 1, 0.95);
    private final Spinner<Integer> maxTokens = new Spinner<>(1, 32768, 512, 32);
    private final CheckBox instruct = new CheckBox("Instruct chat format");
    private final Label modelLabel = new Label();
    private final ProgressBar contextGauge = new ProgressBar(0);
    private final Label contextLabel = new Label();
    private final Label checkpointsLabel = new Label("No checkpoints yet");
    /** The user message whose new text is in the input box, or null. */
    private MessageView editing;
    private final Button cancelEdit = new Button("Cancel");
    private final HBox editingBar = new HBox(8);
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyBooleanWrapper following = new ReadOnlyBooleanWrapper(this, "following", true);
    private final Button jumpToLatest = new Button("\u2193 Jump to latest");
    private final Label noModelNote = note("Load a model in the Library, or pick one above, to chat with it.");
    private final ComboBox<LibraryEntry> modelPicker = new ComboBox<>();
    private final ListView<SavedConversation> conversationList = new ListView<>();
    private final Button renameChat = new Button("Rename");
    private final Button deleteChat = new Button("Delete");
    private final MenuButton exportChat = new MenuButton("Export");
    private final Label shortcuts = new Label("Shortcuts");
    static final String SHORTCUTS = """
            Enter: send
            Shift+Enter: new line
            Esc: stop the answer, or leave a message being edited as it was
            Ctrl+N: new chat
            Ctrl+L: go to the message box""";
    private static final KeyCombination NEW_CHAT = new KeyCodeCombination(KeyCode.N, KeyCombination.SHORTCUT_DOWN);
    private static final KeyCombination FOCUS_INPUT = new KeyCodeCombination(KeyCode.L, KeyCombination.SHORTCUT_DOWN);
    private final EventHandler<KeyEvent> pageKeys = this::pageKey;

    /** Saves conversations; null for a chat without persistence (the plain constructors). */
    private ConversationStore store;
    private String conversationId = newId();
    private String conversationTitle = "";
    /** The system prompt of the open conversation (the box applies from the next new chat). */
    private String conversationSystem = "";
    private boolean adjustingInstruct;
    private boolean adjustingPicker;
    private boolean adjustingScroll;
    private boolean userScrolling;
    private boolean draggingScroll;
    /** How far down the transcript the user has scrolled, in pixels, kept while not following. */
    private double scrollTop;
    private final javafx.beans.property.ReadOnlyIntegerWrapper answerLength =
            new javafx.beans.property.ReadOnlyIntegerWrapper(this, "answerLength");

    /**
     * The conversation, created on the generating thread by the first question (a new state can take
     * hundreds of MB); touched by one generation at a time and read on the FX thread only between them.
     */
    private volatile Conversation session;
    private volatile ModelBackend sessionModel;
    private CancellationToken cancel;
    private java.util.function.Predicate<ModelBackend> instructByDefault = model -> true;

    public ChatView(ObservableValue<ModelBackend> activeModel, Executor executor, MetricsStore metrics) {
        this(activeModel, new GenerationRunner(executor, new GenerationGate(), metrics, model -> Hold.NOTHING));
    }

    /** The chat page of the application: the active model and the app's shared runner. */
    public ChatView(AppContext ctx) {
        this(ctx.models().activeBackendProperty(), GenerationRunner.of(ctx));
        // instruct-tuned local models per the library; a remote endpoint serves chat (its completions are the exception)
        instructByDefault = model -> !(model instanceof LocalBackend local) || ctx.library().instructByDefault(local.loaded().folder());
        applyInstructDefault(activeModel.getValue());
        switchModel(activeModel.getValue()); // the header again, now with the precision
        bindModelPicker(ctx);
        store = new ConversationStore(ctx.settings().conversationsDir());
        refreshConversations();
        if (!conversationList.getItems().isEmpty()) openConversation(conversationList.getItems().getFirst());
    }

    /** @param runner runs each answer: one generation of the app's at a time, the model held, the figures recorded */
    public ChatView(ObservableValue<ModelBackend> activeModel, GenerationRunner runner) {
        this.activeModel = activeModel;
        this.runner = runner;
        setId("chat-view");
        getStyleClass().add("chat-view");
        getStylesheets().add(STYLESHEET);
        setCenter(buildConversation());
        ScrollPane settings = new ScrollPane(buildSettings());
        settings.setFitToWidth(true);
        settings.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        settings.getStyleClass().add("chat-settings-scroll");
        settings.setMinWidth(250);
        settings.setPrefWidth(280);
        setRight(settings);
        activeModel.addListener((obs, old, model) -> {
            applyInstructDefault(model);
            switchModel(model);
        });
        sceneProperty().addListener((obs, old, scene) -> {
            if (old != null) old.removeEventFilter(KeyEvent.KEY_PRESSED, pageKeys);
            if (scene != null) scene.addEventFilter(KeyEvent.KEY_PRESSED, pageKeys);
        });
        modelPicker.setVisible(false);
        modelPicker.setManaged(false);
        conversationsBox.setVisible(false);
        conversationsBox.setManaged(false);
        switchModel(activeModel.getValue());
    }

    /**
     * Ticks "Instruct chat format" for instruct-tuned models, unticks it for base and demo models; the
     * conversation stays (the next message is processed in the new model's format).
     */
    private void applyInstructDefault(ModelBackend model) {
        if (model == null) return;
        adjustingInstruct = true;
        try {
            instruct.setSelected(instructByDefault.test(model));
        } finally {
            adjustingInstruct = false;
        }
    }

    /** Shortcuts of the chat page, while it is shown (the filter sits on its scene). */
    private void pageKey(KeyEvent e) {
        if (getScene() == null) return;
        if (e.getCode() == KeyCode.ESCAPE && running.get()) {
            stop();
            e.consume();
        } else if (e.getCode() == KeyCode.ESCAPE && editing != null) {
            cancelEditing();
            e.consume();
        } else if (NEW_CHAT.match(e)) {
            startNewChat();
            e.consume();
        } else if (FOCUS_INPUT.match(e)) {
            input.requestFocus();
            e.consume();
        }
    }

    // ---- for tests and the app -------------------------------------------------------------------

    public TextArea inputArea() { return input; }

    public Button sendButton() { return send; }

    public Button stopButton() { return stop; }

    public Button regenerateButton() { return regenerate; }

    public Button newChatButton() { return newChat; }

    public TextArea systemPromptArea() { return systemPrompt; }

    public Slider temperatureSlider() { return temperature; }

    public Slider topPSlider() { return topP; }

    public Spinner<Integer> maxTokensSpinner() { return maxTokens; }

    public ProgressBar contextGauge() { return contextGauge; }

    public Label contextLabel() { return contextLabel; }

    public ReadOnlyBooleanProperty runningProperty() { return running.getReadOnlyProperty(); }

    /** True while the transcript keeps the newest text in view (the user is at the bottom). */
    public ReadOnlyBooleanProperty followingProperty() { return following.getReadOnlyProperty(); }

    public ScrollPane transcriptScroll() { return transcriptScroll; }

    public Button jumpToLatestButton() { return jumpToLatest; }

    public ComboBox<LibraryEntry> modelPicker() { return modelPicker; }

    public ListView<SavedConversation> conversationList() { return conversationList; }

    public CheckBox instructCheckBox() { return instruct; }

    /** The messages the engine's conversation holds (empty before the first answer); read between generations. */
    public List<ChatMessage> sessionMessages() {
        Conversation s = session;
        return s == null ? List.of() : s.messages();
    }

    /** The backend's conversation (null before the first answer); read between generations. */
    Conversation conversation() { return session; }

    /** The engine's session behind a local conversation (null before the first answer); for tests. */
    ChatSession session() { return LocalBackend.engineSession(session); }

    /** The id of the conversation shown (its file name in the store). */
    public String conversationId() { return conversationId; }

    /** Characters of the answer shown so far (grows while it streams in). */
    public javafx.beans.property.ReadOnlyIntegerProperty answerLengthProperty() { return answerLength.getReadOnlyProperty(); }

    public List<MessageView> messages() {
        return transcript.getChildren().stream().filter(MessageView.class::isInstance).map(MessageView.class::cast).toList();
    }

    // ---- layout ------------------------------------------------------------------------------------

    private VBox buildConversation() {
        transcript.setPadding(new Insets(12));
        transcript.getStyleClass().add("chat-transcript-content");
        transcriptScroll.setFitToWidth(true);
        transcriptScroll.getStyleClass().add("chat-transcript");
        // keep the newest text in view while it streams, unless the user scrolled up to read; then keep
        // what they read where it is
        transcript.heightProperty().addListener((obs, old, h) -> {
            adjustingScroll = true;
            try {
                double range = scrollRange();
                transcriptScroll.setVvalue(following.get() || range <= 0 ? 1.0 : Math.min(1, scrollTop / range));
            } finally {
                adjustingScroll = false;
            }
            updateJumpButton();
        });
        // only the user's own scrolling (wheel, scroll bar, keys) starts or stops following: the scroll
        // pane also moves by itself as the content grows
        transcriptScroll.vvalueProperty().addListener((obs, old, v) -> {
            if (adjustingScroll) return;
            scrollTop = v.doubleValue() * scrollRange();
            if (userScrolling) userScrolled();
        });
        for (var type : List.of(ScrollEvent.SCROLL, KeyEvent.KEY_PRESSED, MouseEvent.MOUSE_PRESSED, MouseEvent.MOUSE_RELEASED)) {
            transcriptScroll.addEventFilter(type, e -> {
                if (e.getEventType() == MouseEvent.MOUSE_PRESSED) draggingScroll = true;
                if (e.getEventType() == MouseEvent.MOUSE_RELEASED) draggingScroll = false;
                userScrolling = true;
                Platform.runLater(() -> {
                    userScrolled();
                    userScrolling = draggingScroll;
                });
            });
        }
        jumpToLatest.getStyleClass().addAll("accent", "small");
        jumpToLatest.setFocusTraversable(false);
        jumpToLatest.setOnAction(e -> jumpToLatest());
        jumpToLatest.setVisible(false);
        StackPane.setAlignment(jumpToLatest, Pos.BOTTOM_CENTER);
        StackPane.setMargin(jumpToLatest, new Insets(0, 0, 12, 0));
        StackPane transcriptArea = new StackPane(transcriptScroll, jumpToLatest);
        VBox.setVgrow(transcriptArea, Priority.ALWAYS);

        input.setPromptText("Ask something (Enter sends, Shift+Enter for a new line)");
        input.setWrapText(true);
        input.setPrefRowCount(3);
        input.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() != KeyCode.ENTER) return;
            e.consume();
            if (e.isShiftDown()) input.replaceSelection("\n");
            else if (!e.isControlDown() && !e.isAltDown() && !e.isMetaDown()) send();
        });
        HBox.setHgrow(input, Priority.ALWAYS);
        send.getStyleClass().add("accent");
        send.setDefaultButton(false);
        send.setOnAction(e -> send());
        stop.setOnAction(e -> stop());
        stop.getStyleClass().add("danger");
        regenerate.setOnAction(e -> regenerate());
        send.disableProperty().bind(running.getReadOnlyProperty());
        stop.disableProperty().bind(running.getReadOnlyProperty().not());
        send.setTooltip(new Tooltip("Enter"));
        stop.setTooltip(new Tooltip("Esc"));
        shortcuts.getStyleClass().add("context-gauge-label");
        shortcuts.setTooltip(new Tooltip(SHORTCUTS));
        shortcuts.setId("chat-shortcuts");
        VBox buttons = new VBox(6, send, stop, regenerate, shortcuts);
        buttons.setFillWidth(true);
        buttons.setAlignment(Pos.TOP_CENTER);
        for (Button b : List.of(send, stop, regenerate)) {
            b.setMaxWidth(Double.MAX_VALUE);
            b.setMinWidth(Region.USE_PREF_SIZE);
        }
        HBox bar = new HBox(8, input, buttons);
        bar.setPadding(new Insets(8, 12, 12, 12));
        bar.setAlignment(Pos.CENTER);
        Label editingNote = note("Editing a message: Send replaces it, and the answers after it are dropped.");
        HBox.setHgrow(editingNote, Priority.ALWAYS);
        editingNote.setMaxWidth(Double.MAX_VALUE);
        cancelEdit.getStyleClass().add("small");
        cancelEdit.setMinWidth(Region.USE_PREF_SIZE);
        cancelEdit.setTooltip(new Tooltip("Esc"));
        cancelEdit.setOnAction(e -> cancelEditing());
        editingBar.getChildren().setAll(editingNote, cancelEdit);
        editingBar.setAlignment(Pos.CENTER_LEFT);
        editingBar.setPadding(new Insets(6, 12, 0, 12));
        editingBar.setId("chat-editing");
        editingBar.setVisible(false);
        editingBar.setManaged(false);
        running.addListener((obs, was, now) -> updateSwitching());
        return new VBox(transcriptArea, editingBar, bar);
    }

    /** After the user scrolled: following while they are at the end (within a line of it). */
    private void userScrolled() {
        double range = scrollRange();
        scrollTop = transcriptScroll.getVvalue() * Math.max(0, range);
        following.set(range <= 0 || range - scrollTop < 24);
        updateJumpButton();
    }

    private double scrollRange() {
        return transcript.getHeight() - transcriptScroll.getViewportBounds().getHeight();
    }

    private void updateJumpButton() {
        jumpToLatest.setVisible(!following.get() && scrollRange() > 0);
    }

    /** Scrolls to the newest text and follows the stream again. */
    public void jumpToLatest() {
        following.set(true);
        adjustingScroll = true;
        try {
            transcriptScroll.setVvalue(1.0);
        } finally {
            adjustingScroll = false;
        }
        updateJumpButton();
    }

    private VBox buildSettings() {
        modelLabel.setWrapText(true);
        modelLabel.getStyleClass().add("section-title");
        contextGauge.setMaxWidth(Double.MAX_VALUE);
        contextLabel.getStyleClass().add("context-gauge-label");
        contextLabel.setWrapText(true);
        checkpointsLabel.getStyleClass().add("context-gauge-label");
        checkpointsLabel.setWrapText(true);
        checkpointsLabel.setId("chat-checkpoints");
        checkpointsLabel.setTooltip(new Tooltip("States kept at the turns' ends and prompts: Regenerate, Edit and "
                + "switching answers resume from them without reading the conversation again (the oldest go first, "
                + "beyond " + StateCheckpoints.DEFAULT_MAX_COUNT + " or " + Sizes.bytes(StateCheckpoints.DEFAULT_MAX_BYTES) + ")"));
        systemPrompt.setPromptText("You are a helpful assistant.");
        systemPrompt.setWrapText(true);
        systemPrompt.setPrefRowCount(4);
        Label systemHint = new Label("Applies from the next new chat.");
        systemHint.getStyleClass().add("context-gauge-label");
        Label tempValue = valueLabel(temperature, "%.2f");
        Label topPValue = valueLabel(topP, "%.2f");
        temperature.setTooltip(new Tooltip("0 = greedy (always the most likely token)"));
        Spinners.lenient(maxTokens);
        maxTokens.setMaxWidth(Double.MAX_VALUE);
        instruct.setSelected(true);
        instruct.setTooltip(new Tooltip("Wrap the conversation in the model's [INST] format; off for base models"));
        instruct.setWrapText(true);
        instruct.selectedProperty().addListener((obs, o, n) -> {
            if (!adjustingInstruct) startNewChat();
        });
        newChat.setOnAction(e -> startNewChat());
        newChat.setTooltip(new Tooltip("Ctrl+N"));
        newChat.disableProperty().bind(running.getReadOnlyProperty());
        modelPicker.setMaxWidth(Double.MAX_VALUE);
        modelPicker.setPromptText("Pick a model");
        modelPicker.setId("chat-model-picker");
        VBox box = new VBox(8,
                title("Model"), modelPicker, modelLabel,
                title("Context"), contextGauge, contextLabel, checkpointsLabel,
                new Separator(),
                buildConversations(),
                title("System prompt"), systemPrompt, systemHint,
                new HBox(6, title("Temperature"), tempValue), temperature,
                new HBox(6, title("Top-p"), topPValue), topP,
                title("Max new tokens"), maxTokens,
                instruct);
        box.getStyleClass().add("chat-settings");
        return box;
    }

    private final VBox conversationsBox = new VBox(6);

    /** The saved conversations: click one to open it; new, rename, delete, export. */
    private VBox buildConversations() {
        conversationList.setPrefHeight(150);
        conversationList.setMinHeight(90);
        conversationList.setId("chat-conversations");
        conversationList.setCellFactory(list -> new ListCell<>() {
            @Override protected void updateItem(SavedConversation item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : item.title());
                setWrapText(true);
                setPrefWidth(0); // wrap within the list instead of widening it
            }
        });
        conversationList.getSelectionModel().selectedItemProperty().addListener((obs, old, picked) -> {
            if (picked != null && !picked.id().equals(conversationId)) openConversation(picked);
        });
        conversationList.disableProperty().bind(running.getReadOnlyProperty());
        renameChat.setOnAction(e -> askRename());
        deleteChat.setOnAction(e -> deleteConversation());
        MenuItem markdown = new MenuItem("Markdown\u2026");
        markdown.setOnAction(e -> export(true));
        MenuItem json = new MenuItem("JSON\u2026");
        json.setOnAction(e -> export(false));
        exportChat.getItems().setAll(markdown, json);
        FlowPane actions = new FlowPane(6, 6, newChat, renameChat, deleteChat, exportChat);
        for (Region r : List.of(newChat, renameChat, deleteChat, exportChat)) {
            r.setMinWidth(Region.USE_PREF_SIZE);
            r.getStyleClass().add("small");
        }
        conversationsBox.getChildren().setAll(title("Conversations"), conversationList, actions, new Separator());
        return conversationsBox;
    }

    /** The picker lists the library's loadable models and shows the active one; picking one loads it. */
    private void bindModelPicker(AppContext ctx) {
        modelPicker.setVisible(true);
        modelPicker.setManaged(true);
        modelPicker.setItems(ctx.library().entries().filtered(LibraryEntry::loadable));
        modelPicker.setCellFactory(list -> entryCell());
        modelPicker.setButtonCell(entryCell());
        Runnable showActive = () -> {
            ModelHandle active = ctx.models().getActiveModel();
            ModelBackend backend = ctx.models().getActiveBackend();
            adjustingPicker = true;
            try {
                modelPicker.getSelectionModel().select(modelPicker.getItems().stream()
                        .filter(e -> active != null && e.folder() != null && e.folder().equals(active.folder())
                                || e.remote() && org.mambaplayground.gui.remote.RemoteModels.isActive(backend, e))
                        .findFirst().orElse(null));
            } finally {
                adjustingPicker = false;
            }
        };
        ctx.models().activeBackendProperty().addListener((obs, old, now) -> showActive.run());
        modelPicker.getItems().addListener((javafx.collections.ListChangeListener<LibraryEntry>) c -> showActive.run());
        showActive.run();
        modelPicker.valueProperty().addListener((obs, old, picked) -> {
            ModelHandle active = ctx.models().getActiveModel();
            if (adjustingPicker || picked == null || (active != null && active.folder().equals(picked.folder()))) return;
            if (picked.remote()) {
                org.mambaplayground.gui.remote.RemoteModels.of(ctx).backend(picked).ifPresent(ctx.models()::setActiveRemote);
                return;
            }
            ctx.models().activate(picked.folder());
        });
        conversationsBox.setVisible(true);
        conversationsBox.setManaged(true);
    }

    private static ListCell<LibraryEntry> entryCell() {
        return new ListCell<>() {
            @Override protected void updateItem(LibraryEntry item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : item.name());
            }
        };
    }

    private static Label title(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("section-title");
        return l;
    }

    private static Label valueLabel(Slider slider, String format) {
        Label l = new Label();
        l.textProperty().bind(slider.valueProperty().asString(Locale.ROOT, format));
        return l;
    }

    // ---- behaviour ---------------------------------------------------------------------------------

    /**
     * The next answers come from {@code model}. The conversation stays: the new model processes it whole
     * with the next message (a note says so).
     */
    private void switchModel(ModelBackend model) {
        if (cancel != null) cancel.cancel(); // an answer from the previous model is no longer wanted
        ModelBackend previous = sessionModel;
        sessionModel = model;
        session = null;
        input.setDisable(model == null);
        transcript.getChildren().remove(noModelNote);
        if (model == null) {
            modelLabel.setText("No model loaded");
            transcript.getChildren().addFirst(noModelNote);
        } else {
            modelLabel.setText(model.label() + "\n" + describeModel(model));
            if (previous != null && previous != model && !messages().isEmpty()) {
                transcript.getChildren().add(note("Now answering: " + model.name()
                        + ". It reads the whole conversation again with the next message."));
            }
        }
        updateGauge(0, -1); // no state is held until the next answer (allocating one here could take 100s of MB)
        updateCheckpoints();
    }

    /** Clears the transcript and the model's state; the system prompt applies from here. */
    public void startNewChat() {
        if (running.get()) return;
        clearTranscript();
        conversationId = newId();
        conversationTitle = "";
        conversationSystem = systemPrompt.getText();
        conversationList.getSelectionModel().clearSelection();
    }

    private void clearTranscript() {
        if (cancel != null) cancel.cancel();
        session = null;
        stopEditing();
        transcript.getChildren().clear();
        if (sessionModel == null) transcript.getChildren().add(noModelNote);
        updateGauge(0, -1);
        updateCheckpoints();
        jumpToLatest();
    }

    /** Shows a saved conversation; the next message continues it (the model processes it whole first). */
    public void openConversation(SavedConversation saved) {
        if (running.get()) return;
        clearTranscript();
        conversationId = saved.id();
        conversationTitle = saved.title();
        conversationSystem = saved.system();
        adjustingInstruct = true;
        try {
            instruct.setSelected(saved.instruct());
        } finally {
            adjustingInstruct = false;
        }
        for (SavedConversation.Message m : saved.messages()) {
            MessageView.Role role = switch (m.role()) {
                case "user" -> MessageView.Role.USER;
                case "assistant" -> MessageView.Role.ASSISTANT;
                default -> null;
            };
            if (role == null) continue;
            MessageView view = new MessageView(role, role == MessageView.Role.USER ? "You"
                    : saved.model() == null || saved.model().isBlank() ? "Assistant" : saved.model(), null);
            view.setAlternatives(m.alternatives(), m.shown());
            view.setStatsText(m.stats());
            transcript.getChildren().add(view);
            if (role == MessageView.Role.ASSISTANT) {
                view.setOnSwitch(i -> switchAlternative(view, i));
                showAnswer(view, saved.instruct());
            } else {
                view.setOnEdit(() -> startEditing(view));
                view.editButton().disableProperty().bind(running.getReadOnlyProperty());
            }
        }
        updateSwitching();
        selectInList(conversationId);
    }

    /** Sends what is in the input box (in place of the message being edited, if one is). FX thread. */
    public void send() {
        String text = input.getText().strip();
        ModelBackend model = sessionModel;
        if (text.isEmpty() || model == null || running.get()) return;
        MessageView edited = editing;
        stopEditing();
        input.clear();
        int editedAt = edited == null ? -1 : transcript.getChildren().indexOf(edited);
        if (editedAt >= 0) {
            List<MessageView> before = messages().subList(0, messages().indexOf(edited));
            List<String> kept = answeredQuestions(before);
            int turn = kept.size();
            Conversation s = session;
            // the engine holds the turns before it: it resumes from the checkpoint at their end
            boolean editable = holds(s, kept) && s.turnCount() > turn;
            Conversation current = editable || holds(s, kept) && s.turnCount() == turn ? s : null;
            List<ChatMessage> history = current == null ? history(before) : List.of();
            transcript.getChildren().remove(editedAt, transcript.getChildren().size()); // the turns after it go too
            if (messages().isEmpty()) conversationTitle = titleFrom(text);
            addUserMessage(text);
            answerWith(model, newAnswer(model), current, history,
                    (session, options, token, listener) -> editable ? session.edit(turn, text, options, token, listener)
                            : session.send(text, options, token, listener));
            return;
        }
        List<MessageView> before = messages();
        List<String> said = answeredQuestions(before);
        Conversation current = holds(session, said) && session.turnCount() == said.size() ? session : null;
        List<ChatMessage> history = current == null ? history(before) : List.of();
        if (conversationTitle.isEmpty()) conversationTitle = titleFrom(text);
        addUserMessage(text);
        answerWith(model, newAnswer(model), current, history,
                (s, options, token, listener) -> s.send(text, options, token, listener));
    }

    /** Answers the last question again, as another alternative of its answer (kept, {@code < 2/3 >}). FX thread. */
    public void regenerate() {
        ModelBackend model = sessionModel;
        List<MessageView> shown = messages();
        if (model == null || running.get() || shown.isEmpty()) return;
        MessageView answer = shown.getLast().role() == MessageView.Role.ASSISTANT ? shown.getLast() : null;
        List<MessageView> asked = answer == null ? shown : shown.subList(0, shown.size() - 1);
        if (asked.isEmpty() || asked.getLast().role() != MessageView.Role.USER) return;
        String question = asked.getLast().text();
        List<String> earlier = answeredQuestions(asked.subList(0, asked.size() - 1));
        List<String> withQuestion = new ArrayList<>(earlier);
        withQuestion.add(question);
        int turn = earlier.size();
        Conversation s = session;
        // the engine holds this question with an answer: it answers again from the checkpoint of its prompt
        boolean answered = holds(s, withQuestion) && s.turnCount() == turn + 1
                && s.selectedAlternative(turn) >= 0;
        // else it holds the turns before it (an answer stopped before its first word left the question out)
        Conversation current = answered || holds(s, earlier) && s.turnCount() == turn ? s : null;
        List<ChatMessage> history = current == null ? history(asked.subList(0, asked.size() - 1)) : List.of();
        if (answer == null) answer = newAnswer(model);
        else if (answer.alternatives().size() == 1 && answer.text().isBlank()) answer.showAlternative(0); // failed: try again in it
        else answer.addAlternative();
        answerWith(model, answer, current, history, (session, options, token, listener) -> answered
                ? session.regenerate(options, token, listener) : session.send(question, options, token, listener));
    }

    public void stop() {
        if (cancel != null) cancel.cancel();
    }

    /** Puts a user message in the input box; sending then replaces it, and the turns after it are dropped. */
    public void startEditing(MessageView message) {
        if (running.get() || message.role() != MessageView.Role.USER) return;
        editing = message;
        input.setText(message.text());
        input.positionCaret(input.getLength());
        editingBar.setVisible(true);
        editingBar.setManaged(true);
        input.requestFocus();
    }

    /** Leaves the message being edited as it was. */
    public void cancelEditing() {
        if (editing == null) return;
        stopEditing();
        input.clear();
    }

    private void stopEditing() {
        editing = null;
        editingBar.setVisible(false);
        editingBar.setManaged(false);
    }

    /** The user message being edited, or null. */
    public MessageView editingMessage() { return editing; }

    private void addUserMessage(String text) {
        MessageView view = new MessageView(MessageView.Role.USER, "You", text);
        view.setOnEdit(() -> startEditing(view));
        view.editButton().disableProperty().bind(running.getReadOnlyProperty());
        transcript.getChildren().add(view);
        jumpToLatest();
    }

    private MessageView newAnswer(ModelBackend model) {
        MessageView answer = new MessageView(MessageView.Role.ASSISTANT, model.name(), "");
        answer.setOnSwitch(i -> switchAlternative(answer, i));
        transcript.getChildren().add(answer);
        return answer;
    }

    /**
     * Shows another alternative of the last answer; the engine selects it, so the next message goes on from
     * its state. An alternative the engine does not hold (one restored from disk) has the next message read the
     * conversation again.
     */
    private void switchAlternative(MessageView answer, int index) {
        List<MessageView> shown = messages();
        if (running.get() || shown.isEmpty() || shown.getLast() != answer) return;
        answer.showAlternative(index);
        showAnswer(answer, instruct.isSelected());
        Conversation s = session;
        int engineIndex = answer.linked(s, answer.shownAlternative());
        List<String> asked = shown.size() < 2 ? List.of() : new ArrayList<>(answeredQuestions(shown.subList(0, shown.size() - 2)));
        if (shown.size() >= 2) asked.add(shown.get(shown.size() - 2).text());
        int turn = asked.size() - 1;
        if (engineIndex >= 0 && turn >= 0 && holds(s, asked) && s.turnCount() == turn + 1
                && engineIndex < s.alternativeCount(turn)) {
            s.selectAlternative(engineIndex);
        } else {
            session = null;
        }
        updateCheckpoints();
        saveConversation();
    }

    /** Only the last answer's alternatives can be switched (the later turns were said after the one shown). */
    private void updateSwitching() {
        List<MessageView> shown = messages();
        for (MessageView m : shown) {
            if (m.role() == MessageView.Role.ASSISTANT) m.setSwitchable(!running.get() && m == shown.getLast());
        }
    }

    /**
     * The questions of {@code shown} the engine keeps as turns: those answered with at least a word (one
     * stopped before its first word, or failed, is left out of the engine's conversation, as {@link #history} does).
     */
    private static List<String> answeredQuestions(List<MessageView> shown) {
        List<String> asked = new ArrayList<>();
        for (int i = 0; i + 1 < shown.size(); i++) {
            MessageView next = shown.get(i + 1);
            if (shown.get(i).role() == MessageView.Role.USER && next.role() == MessageView.Role.ASSISTANT
                    && !next.text().isBlank()) asked.add(shown.get(i).text());
        }
        return asked;
    }

    /** Whether {@code s} holds at least these turns: its first user messages are {@code questions}. */
    private static boolean holds(Conversation s, List<String> questions) {
        if (s == null || s.turnCount() < questions.size()) return false;
        for (int turn = 0; turn < questions.size(); turn++) {
            if (!s.userText(turn).equals(questions.get(turn))) return false;
        }
        return true;
    }

    /** What was said in {@code shown}, as the engine takes it: each question with its answer (a question left unanswered is dropped). */
    private static List<ChatMessage> history(List<MessageView> shown) {
        List<ChatMessage> said = new ArrayList<>();
        String question = null;
        for (MessageView m : shown) {
            if (m.role() == MessageView.Role.USER) {
                question = m.text();
            } else if (m.role() == MessageView.Role.ASSISTANT && question != null && !m.text().isBlank()) {
                said.add(ChatMessage.user(question));
                said.add(ChatMessage.assistant(m.text()));
                question = null;
            }
        }
        return said;
    }

    private interface Call {
        Reply run(Conversation conversation, SamplingOptions options, CancellationToken token, ReplyListener listener);
    }

    /**
     * Generates into {@code answer} (its alternative shown) the answer to the last message: with {@code current},
     * or with a new conversation that first takes {@code history} (opened on the generating thread: a new state can
     * take hundreds of MB). A failure (a cut stream, an HTTP error) is shown in the answer; the conversation keeps
     * what was said, and the next message reads it again.
     */
    private void answerWith(ModelBackend model, MessageView answer, Conversation current,
                            List<ChatMessage> history, Call call) {
        String system = conversationSystem;
        boolean chatFormat = instruct.isSelected();
        answer.showPrefill(0, 0);
        showAnswer(answer, chatFormat);
        updateSwitching();
        SamplingOptions options = new SamplingOptions((float) temperature.getValue(), (float) topP.getValue(),
                System.nanoTime(), maxTokens.getValue());
        CancellationToken token = new CancellationToken();
        cancel = token;
        answerLength.set(0);
        running.set(true);
        StreamBatcher.Sink sink = new StreamBatcher.Sink() {
            @Override public void prefill(int done, int total) {
                answer.showPrefill(done, total);
                updateGaugeLive(model);
            }

            @Override public void text(String appended) {
                answer.append(appended);
                showAnswer(answer, chatFormat);
                answerLength.set(answer.text().length());
                updateGaugeLive(model);
            }

            @Override public void finished(ReplyStats stats) {
                answer.showStats(stats);
                if (model == sessionModel) updateGauge(stats.contextTokens(), stats.stateBytes().orElse(-1));
            }
        };
        Conversation[] used = {null};
        int[] engineAnswer = {-1};
        runner.start(model, "chat", token,
                () -> answer.showWaiting("Waiting for a sweep or comparison to finish (one generation at a time keeps timings honest)\u2026"),
                sink, listener -> {
                    Platform.runLater(() -> answer.showPrefill(0, 0));
                    Conversation s = current;
                    if (s == null) {
                        s = model.open(chatFormat);
                        s.resume(system, history);
                        if (sessionModel == model) session = s;
                    }
                    used[0] = s;
                    Reply reply = call.run(s, options, token, listener);
                    boolean kept = !(reply.finishReason() == FinishReason.CANCELLED && reply.text().isBlank());
                    int last = s.turnCount() - 1; // every call answers the last message
                    if (kept && last >= 0) engineAnswer[0] = s.selectedAlternative(last);
                    return reply;
                }, outcome -> {
                    if (cancel == token) cancel = null;
                    if (engineAnswer[0] >= 0) {
                        answer.link(used[0], answer.shownAlternative(), engineAnswer[0]);
                    } else if (answer.text().isBlank() && answer.alternatives().size() > 1) {
                        answer.removeShownAlternative(); // a regenerated answer that never got a word
                    }
                    if (outcome.failure() != null) answer.showError(outcome.failure());
                    running.set(false);
                    updateSwitching();
                    updateCheckpoints();
                    saveConversation();
                });
    }

    /** The checkpoints the conversation holds (regenerate and edit resume from them without reading again). */
    private void updateCheckpoints() {
        Conversation s = session;
        ContextFigures held = s == null ? null : s.context();
        checkpointsLabel.setText(held == null || held.checkpoints() == 0 ? "No checkpoints yet"
                : describeCheckpoints(held.checkpoints(), held.checkpointBytes()));
    }

    static String describeCheckpoints(int count, long bytes) {
        return count + (count == 1 ? " checkpoint, " : " checkpoints, ") + Sizes.bytes(bytes);
    }

    /** The line that says how many checkpoints are held and their memory. */
    public Label checkpointsLabel() { return checkpointsLabel; }

    /**
     * The gauge while an answer streams: the state's position and size as the generating thread leaves
     * them (read without a lock: a figure one batch old at worst, exact again when the answer finishes).
     */
    private void updateGaugeLive(ModelBackend model) {
        Conversation s = session;
        if (s == null || model != sessionModel) return;
        ContextFigures context = s.context();
        updateGauge(context.tokens(), context.stateBytes().orElse(-1));
    }

    /**
     * How an answer (the last message shown) is shown: in completion mode as code, highlighted in the
     * language the conversation so far is written in (the answer continues it); in chat as code in the
     * question's language when the question is code and the answer continues it without fences;
     * otherwise as markdown.
     */
    private void showAnswer(MessageView answer, boolean chatFormat) {
        List<MessageView> shown = messages();
        StringBuilder before = new StringBuilder();
        String question = "";
        for (MessageView m : shown.subList(0, Math.max(0, shown.indexOf(answer)))) {
            before.append(m.text()).append('\n');
            if (m.role() == MessageView.Role.USER) question = m.text();
        }
        String text = answer.text();
        if (!chatFormat) {
            answer.showAs(true, CodeLanguages.detect(before + text));
            return;
        }
        Optional<CodeLanguage> language = CodeLanguages.detect(question);
        boolean continuesCode = language.isPresent() && !text.isBlank() && CodeLanguages.detect(text).isPresent();
        answer.showAs(continuesCode, language);
    }

    // ---- saved conversations -----------------------------------------------------------------------

    /** The conversation shown, as saved. */
    public SavedConversation currentConversation() {
        List<SavedConversation.Message> said = new ArrayList<>();
        for (MessageView m : messages()) {
            said.add(new SavedConversation.Message(m.role().name().toLowerCase(Locale.ROOT), m.alternatives(),
                    m.shownAlternative(), m.statsText()));
        }
        ModelBackend model = sessionModel;
        return new SavedConversation(conversationId, conversationTitle, System.currentTimeMillis(),
                model == null ? "" : model.name(), conversationSystem, instruct.isSelected(), said);
    }

    private void saveConversation() {
        if (store == null || messages().isEmpty()) return;
        try {
            store.save(currentConversation());
        } catch (RuntimeException e) {
            transcript.getChildren().add(note("Not saved: " + e.getMessage()));
        }
        refreshConversations();
    }

    private void refreshConversations() {
        if (store == null) return;
        conversationList.getItems().setAll(store.list());
        for (String problem : store.problems()) transcript.getChildren().add(note("Skipped " + problem));
        selectInList(conversationId);
    }

    private void selectInList(String id) {
        conversationList.getItems().stream().filter(c -> c.id().equals(id)).findFirst()
                .ifPresentOrElse(c -> conversationList.getSelectionModel().select(c),
                        () -> conversationList.getSelectionModel().clearSelection());
    }

    /** Renames the conversation shown (and saves it). */
    public void renameConversation(String title) {
        if (title == null || title.isBlank()) return;
        conversationTitle = title.strip();
        saveConversation();
    }

    private void askRename() {
        TextInputDialog dialog = new TextInputDialog(conversationTitle);
        dialog.setTitle("Rename conversation");
        dialog.setHeaderText(null);
        dialog.setContentText("Title:");
        if (getScene() != null) dialog.initOwner(getScene().getWindow());
        dialog.showAndWait().ifPresent(this::renameConversation);
    }

    /** Deletes the conversation shown from the store and starts a new chat. */
    public void deleteConversation() {
        if (store == null || running.get()) return;
        try {
            store.delete(conversationId);
        } catch (RuntimeException e) {
            transcript.getChildren().add(note(e.getMessage()));
            return;
        }
        startNewChat();
        refreshConversations();
    }

    private void export(boolean markdown) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export the conversation");
        String base = conversationTitle.isEmpty() ? "conversation" : conversationTitle.replaceAll("[^\\w .-]", "_");
        chooser.setInitialFileName(base + (markdown ? ".md" : ".json"));
        java.io.File file = chooser.showSaveDialog(getScene() == null ? null : getScene().getWindow());
        if (file == null) return;
        try {
            if (markdown) ConversationStore.exportMarkdown(currentConversation(), file.toPath());
            else ConversationStore.exportJson(currentConversation(), file.toPath());
        } catch (IOException e) {
            transcript.getChildren().add(note("Cannot export to " + file + ": " + e.getMessage()));
        }
    }

    private static String titleFrom(String question) {
        String line = question.lines().findFirst().orElse("").strip();
        return line.length() <= 40 ? line : line.substring(0, 40).strip() + "\u2026";
    }

    private static String newId() { return UUID.randomUUID().toString(); }

    private void updateGauge(int tokens, long stateBytes) {
        ModelBackend model = sessionModel;
        if (model == null) {
            contextGauge.setProgress(0);
            contextLabel.setText("");
            return;
        }
        long max = model.spec().map(ModelSpec::maxContext).orElse(-1L);
        contextGauge.setProgress(max > 0 ? Math.min(1, (double) tokens / max) : 0);
        contextGauge.setVisible(max > 0); // Mamba2 has no context limit: there is nothing to fill
        contextGauge.setManaged(max > 0);
        String limit = max > 0 ? String.format(Locale.ROOT, "%,d / %,d tokens", tokens, max)
                : model.spec().isEmpty() ? String.format(Locale.ROOT, "%,d tokens", tokens)
                : String.format(Locale.ROOT, "%,d tokens (no context limit)", tokens);
        String state = stateBytes >= 0 ? Sizes.bytes(stateBytes)
                : model.spec().isPresent() && model.measuredAt() == org.mambaplayground.backend.MeasuredAt.CLIENT
                        ? "held by the server (not measured; the charts draw its architecture's analytic curve)"
                        : model.measuredAt() == org.mambaplayground.backend.MeasuredAt.CLIENT ? "held by the server (not measured)" : "none yet";
        contextLabel.setText(limit + "\nState in memory: " + state);
    }

    /** The header's second line: the architecture and size when known, and where the model runs. */
    private static String describeModel(ModelBackend model) {
        String where = model.measuredAt() == org.mambaplayground.backend.MeasuredAt.CLIENT ? "remote endpoint" : null;
        if (model.spec().isEmpty()) return where == null ? "" : where + " \u00b7 architecture unknown";
        ModelSpec spec = model.spec().get();
        String arch = spec.architecture().name().toLowerCase(Locale.ROOT) + " \u00b7 " + Sizes.count(spec.parameterCount()) + " parameters";
        return where == null ? arch : where + " \u00b7 " + arch + " (from the catalog)";
    }

    private static Label note(String text) {
        Label note = new Label(text);
        note.getStyleClass().add("context-gauge-label");
        note.setWrapText(true);
        return note;
    }
}
