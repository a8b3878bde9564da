package org.mambaplayground.gui.chat;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
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
import org.mambaplayground.engine.generate.CancellationToken;
import org.mambaplayground.engine.generate.ChatSession;
import org.mambaplayground.engine.generate.GenerationResult;
import org.mambaplayground.engine.generate.GenerationStats;
import org.mambaplayground.engine.generate.SamplingOptions;
import org.mambaplayground.engine.load.LoadedModel;
import org.mambaplayground.engine.model.ModelSpec;
import org.mambaplayground.engine.model.Sizes;
import org.mambaplayground.engine.tokenizer.ChatMessage;
import org.mambaplayground.gui.AppContext;
import org.mambaplayground.gui.metrics.GenerationGate;
import org.mambaplayground.gui.metrics.MetricsStore;
import org.mambaplayground.gui.models.ModelHandle;

/**
 * Chat with the active model: streaming markdown answers, sampling settings, stop and regenerate,
 * per-message figures, the prompt-processing phase and a context gauge. Generation runs on the
 * background executor; its events reach the UI in batches through {@link StreamBatcher}.
 */
public final class ChatView extends BorderPane {
    public static final String STYLESHEET = ChatView.class.getResource("chat.css").toExternalForm();

    /** Keeps a model usable while a generation runs on it (the app passes its reference counting). */
    public interface ModelLease extends AutoCloseable {
        @Override void close();
    }

    private final ObservableValue<LoadedModel> activeModel;
    private final Executor executor;
    private final MetricsStore metrics;
    private final Function<LoadedModel, ModelLease> lease;
    private final GenerationGate gate;

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
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final javafx.beans.property.ReadOnlyIntegerWrapper answerLength =
            new javafx.beans.property.ReadOnlyIntegerWrapper(this, "answerLength");

    private boolean followTail = true;
    /**
     * The conversation, created on the generating thread by the first question (a new state can take
     * hundreds of MB); touched by one generation at a time and read on the FX thread only between them.
     */
    private volatile ChatSession session;
    private volatile LoadedModel sessionModel;
    private CancellationToken cancel;
    private java.util.function.Predicate<LoadedModel> instructByDefault = model -> true;
    /** The header's first line for a model: its name, or with its precision where the app knows it. */
    private Function<LoadedModel, String> caption = LoadedModel::name;

    public ChatView(ObservableValue<LoadedModel> activeModel, Executor executor, MetricsStore metrics) {
        this(activeModel, executor, metrics, model -> () -> {}, new GenerationGate());
    }

    /** The chat page of the application: the active model, the shared metrics store, the background executor. */
    public ChatView(AppContext ctx) {
        this(ctx.models().activeModelProperty().map(ModelHandle::loaded), ctx.background(),
                ctx.shared(MetricsStore.class, MetricsStore::new), model -> leaseActive(ctx, model),
                ctx.shared(GenerationGate.class, GenerationGate::new));
        instructByDefault = model -> ctx.library().instructByDefault(model.folder());
        caption = model -> {
            ModelHandle handle = ctx.models().getActiveModel();
            return handle != null && handle.loaded() == model ? handle.label() : model.name();
        };
        applyInstructDefault(activeModel.getValue());
        switchModel(activeModel.getValue()); // the header again, now with the precision
    }

    /** Holds a reference to the active model's handle while {@code model} is in use, so a switch cannot close it. */
    public static ModelLease leaseActive(AppContext ctx, LoadedModel model) {
        ModelHandle handle = ctx.models().getActiveModel();
        if (handle == null || handle.loaded() != model) return () -> {};
        handle.acquire();
        return handle::release;
    }

    /** @param gate lets one of the app's generations run at a time, for honest timings */
    public ChatView(ObservableValue<LoadedModel> activeModel, Executor executor, MetricsStore metrics,
                    Function<LoadedModel, ModelLease> lease, GenerationGate gate) {
        this.activeModel = activeModel;
        this.executor = executor;
        this.metrics = metrics;
        this.lease = lease;
        this.gate = gate;
        setId("chat-view");
        getStyleClass().add("chat-view");
        getStylesheets().add(STYLESHEET);
        setCenter(buildConversation());
        setRight(buildSettings());
        activeModel.addListener((obs, old, model) -> {
            applyInstructDefault(model); // may start a new chat itself; switchModel below is then a no-op repeat
            switchModel(model);
        });
        switchModel(activeModel.getValue());
    }

    /** Ticks "Instruct chat format" for instruct-tuned models, unticks it for base and demo models. */
    private void applyInstructDefault(LoadedModel model) {
        if (model != null) instruct.setSelected(instructByDefault.test(model));
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
        VBox.setVgrow(transcriptScroll, Priority.ALWAYS);
        // keep the newest text in view while it streams, unless the user scrolled up to read
        transcript.heightProperty().addListener((obs, old, h) -> {
            if (followTail) transcriptScroll.setVvalue(1.0);
        });
        transcriptScroll.vvalueProperty().addListener((obs, old, v) -> followTail = v.doubleValue() >= 0.98
                || transcriptScroll.getContent().getBoundsInLocal().getHeight() <= transcriptScroll.getViewportBounds().getHeight());

        input.setPromptText("Ask something (Enter sends, Shift+Enter for a new line)");
        input.setWrapText(true);
        input.setPrefRowCount(3);
        input.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER && !e.isShiftDown()) {
                e.consume();
                send();
            }
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
        VBox buttons = new VBox(6, send, stop, regenerate);
        buttons.setFillWidth(true);
        for (Button b : List.of(send, stop, regenerate)) b.setMaxWidth(Double.MAX_VALUE);
        HBox bar = new HBox(8, input, buttons);
        bar.setPadding(new Insets(8, 12, 12, 12));
        bar.setAlignment(Pos.CENTER);
        return new VBox(transcriptScroll, bar);
    }

    private VBox buildSettings() {
        modelLabel.setWrapText(true);
        modelLabel.getStyleClass().add("section-title");
        contextGauge.setMaxWidth(Double.MAX_VALUE);
        contextLabel.getStyleClass().add("context-gauge-label");
        contextLabel.setWrapText(true);
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
        instruct.selectedProperty().addListener((obs, o, n) -> startNewChat());
        newChat.setMaxWidth(Double.MAX_VALUE);
        newChat.setOnAction(e -> startNewChat());
        newChat.disableProperty().bind(running.getReadOnlyProperty());
        VBox box = new VBox(8,
                title("Model"), modelLabel,
                title("Context"), contextGauge, contextLabel,
                new Separator(),
                title("System prompt"), systemPrompt, systemHint,
                new HBox(6, title("Temperature"), tempValue), temperature,
                new HBox(6, title("Top-p"), topPValue), topP,
                title("Max new tokens"), maxTokens,
                instruct,
                new Separator(), newChat);
        box.setPrefWidth(270);
        box.setMinWidth(240);
        box.getStyleClass().add("chat-settings");
        return box;
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

    private void switchModel(LoadedModel model) {
        if (cancel != null) cancel.cancel(); // an answer from the previous model is no longer wanted
        sessionModel = model;
        session = null;
        transcript.getChildren().clear();
        input.setDisable(model == null);
        if (model == null) {
            modelLabel.setText("No model loaded");
            addNote("Load a model in the Library to chat with it.");
        } else {
            ModelSpec spec = model.model().spec();
            modelLabel.setText(caption.apply(model) + "\n" + spec.architecture().name().toLowerCase(Locale.ROOT)
                    + " \u00b7 " + Sizes.count(spec.parameterCount()) + " parameters");
        }
        updateGauge(0, -1); // no state is held until the first answer (allocating one here could take 100s of MB)
    }

    /** Clears the transcript and the model's state; the system prompt applies from here. */
    public void startNewChat() {
        if (running.get()) return;
        switchModel(activeModel.getValue());
    }

    /** Sends what is in the input box. FX thread. */
    public void send() {
        String text = input.getText().strip();
        LoadedModel model = sessionModel;
        if (text.isEmpty() || model == null || running.get()) return;
        input.clear();
        ChatSession current = session;
        boolean fresh = current == null || current.messages().stream().allMatch(m -> m.role() == ChatMessage.Role.SYSTEM);
        String system = systemPrompt.getText();
        boolean chatFormat = instruct.isSelected();
        transcript.getChildren().add(new MessageView(MessageView.Role.USER, "You", text));
        followTail = true;
        generate((options, token, listener) -> {
            ChatSession s = current;
            if (fresh) {
                s = new ChatSession(model.model(), model.tokenizer(), model.chatFormat(), chatFormat);
                s.reset(system);
                if (sessionModel == model) session = s;
            }
            return s.send(text, options, token, listener);
        }, model);
    }

    /** Answers the last question again (the previous answer is dropped). FX thread. */
    public void regenerate() {
        ChatSession s = session;
        if (s == null || running.get()) return;
        List<MessageView> shown = messages();
        if (!shown.isEmpty() && shown.getLast().role() == MessageView.Role.ASSISTANT) {
            transcript.getChildren().remove(shown.getLast());
        }
        List<MessageView> left = messages();
        if (left.isEmpty() || left.getLast().role() != MessageView.Role.USER) return;
        List<ChatMessage> said = s.messages();
        if (said.isEmpty() || said.getLast().role() == ChatMessage.Role.SYSTEM) {
            // an answer stopped before its first word left the question out of the conversation: ask it again
            String question = left.getLast().text();
            generate((options, token, listener) -> s.send(question, options, token, listener), sessionModel);
        } else {
            generate((options, token, listener) -> s.regenerate(options, token, listener), sessionModel);
        }
    }

    public void stop() {
        if (cancel != null) cancel.cancel();
    }

    private interface Call {
        GenerationResult run(SamplingOptions options, CancellationToken token, StreamBatcher listener);
    }

    private void generate(Call call, LoadedModel model) {
        MessageView answer = new MessageView(MessageView.Role.ASSISTANT, model.name(), "");
        answer.showPrefill(0, 0);
        transcript.getChildren().add(answer);
        SamplingOptions options = new SamplingOptions((float) temperature.getValue(), (float) topP.getValue(),
                System.nanoTime(), maxTokens.getValue());
        CancellationToken token = new CancellationToken();
        cancel = token;
        answerLength.set(0);
        running.set(true);
        StreamBatcher batcher = new StreamBatcher(new StreamBatcher.Sink() {
            @Override public void prefill(int done, int total) { answer.showPrefill(done, total); }

            @Override public void text(String appended) {
                answer.append(appended);
                answerLength.set(answer.text().length());
            }

            @Override public void finished(GenerationStats stats) {
                answer.showStats(stats);
                if (model == sessionModel) updateGauge(stats.contextTokens(), stats.stateBytes());
            }
        });
        ModelLease held = lease.apply(model);
        executor.execute(() -> {
            try (GenerationGate.Pass pass = gate.enter(token, () -> Platform.runLater(() ->
                    answer.showWaiting("Waiting for a sweep or comparison to finish (one generation at a time keeps timings honest)\u2026")))) {
                if (pass == null) {
                    Platform.runLater(() -> answer.showError("Stopped before it started."));
                    return;
                }
                Platform.runLater(() -> answer.showPrefill(0, 0));
                GenerationResult result = call.run(options, token, batcher);
                metrics.record(model.name(), model.model().spec(), "chat", result.stats());
            } catch (Throwable t) {
                String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
                Platform.runLater(() -> answer.showError("Generation failed: " + message));
            } finally {
                held.close();
                Platform.runLater(() -> {
                    if (cancel == token) cancel = null;
                    running.set(false);
                });
            }
        });
    }

    private void updateGauge(int tokens, long stateBytes) {
        LoadedModel model = sessionModel;
        if (model == null) {
            contextGauge.setProgress(0);
            contextLabel.setText("");
            return;
        }
        long max = model.model().spec().maxContext();
        contextGauge.setProgress(max > 0 ? Math.min(1, (double) tokens / max) : 0);
        contextGauge.setVisible(max > 0); // Mamba2 has no context limit: there is nothing to fill
        contextGauge.setManaged(max > 0);
        String limit = max > 0 ? String.format(Locale.ROOT, "%,d / %,d tokens", tokens, max)
                : String.format(Locale.ROOT, "%,d tokens (no context limit)", tokens);
        contextLabel.setText(limit + "\nState in memory: " + (stateBytes < 0 ? "none yet" : Sizes.bytes(stateBytes)));
    }

    private void addNote(String text) {
        Label note = new Label(text);
        note.getStyleClass().add("context-gauge-label");
        transcript.getChildren().add(note);
    }
}
