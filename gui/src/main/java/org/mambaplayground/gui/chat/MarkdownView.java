package org.mambaplayground.gui.chat;

import java.util.ArrayList;
import java.util.List;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;
import javafx.scene.text.TextFlow;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.BlockQuote;
import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TableCell;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.BulletList;
import org.commonmark.node.CustomBlock;
import org.commonmark.node.Code;
import org.commonmark.node.Emphasis;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.Image;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.Link;
import org.commonmark.node.ListItem;
import org.commonmark.node.OrderedList;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.StrongEmphasis;
import org.commonmark.node.ThematicBreak;
import org.commonmark.parser.Parser;

/**
 * Shows markdown (parsed by commonmark) as JavaFX nodes; fenced code blocks become highlighted
 * {@link CodeBlockView}s. Setting new text re-renders, reusing the code blocks already shown so a
 * streaming answer does not rebuild its code areas on every batch.
 */
public final class MarkdownView extends VBox {
    private static final Parser PARSER = Parser.builder().extensions(List.of(TablesExtension.create())).build();

    private String markdown = "";
    private List<CodeBlockView> codeBlocks = new ArrayList<>();

    public MarkdownView() {
        getStyleClass().add("markdown");
        setSpacing(8);
    }

    public MarkdownView(String markdown) {
        this();
        setMarkdown(markdown);
    }

    public String markdown() { return markdown; }

    /** The code blocks currently shown, in order. */
    public List<CodeBlockView> codeBlocks() { return List.copyOf(codeBlocks); }

    public void setMarkdown(String text) {
        String value = text == null ? "" : text;
        if (value.equals(markdown) && !getChildren().isEmpty()) {
            return;
        }
        markdown = value;
        Builder builder = new Builder(codeBlocks);
        PARSER.parse(value).accept(builder);
        codeBlocks = builder.usedCodeBlocks;
        getChildren().setAll(builder.root.getChildren());
    }

    /** Walks the commonmark tree, appending block nodes to the current container and inline nodes to the current text flow. */
    private static final class Builder extends AbstractVisitor {
        private final List<CodeBlockView> reusable;
        private final List<CodeBlockView> usedCodeBlocks = new ArrayList<>();
        private final VBox root = new VBox();
        private VBox container = root;
        private TextFlow flow;
        private final List<String> inlineStyles = new ArrayList<>();

        Builder(List<CodeBlockView> reusable) {
            this.reusable = reusable;
        }

        @Override
        public void visit(Paragraph paragraph) {
            blockFlow(paragraph, "md-paragraph");
        }

        @Override
        public void visit(Heading heading) {
            blockFlow(heading, "md-h" + Math.min(6, heading.getLevel()));
        }

        private void blockFlow(org.commonmark.node.Node node, String styleClass) {
            TextFlow previous = flow;
            flow = new TextFlow();
            flow.getStyleClass().add(styleClass);
            container.getChildren().add(flow);
            visitChildren(node);
            flow = previous;
        }

        @Override
        public void visit(FencedCodeBlock block) {
            addCodeBlock(block.getInfo(), stripFinalNewline(block.getLiteral()));
        }

        @Override
        public void visit(IndentedCodeBlock block) {
            addCodeBlock("", stripFinalNewline(block.getLiteral()));
        }

        private void addCodeBlock(String info, String code) {
            int index = usedCodeBlocks.size();
            CodeBlockView view;
            if (index < reusable.size()) {
                view = reusable.get(index);
                view.setCode(info, code);
            } else {
                view = new CodeBlockView(info, code);
            }
            usedCodeBlocks.add(view);
            container.getChildren().add(view);
        }

        @Override
        public void visit(BulletList list) {
            listItems(list, null);
        }

        @Override
        public void visit(OrderedList list) {
            Integer start = list.getMarkerStartNumber();
            listItems(list, start == null ? 1 : start);
        }

        private void listItems(org.commonmark.node.Node list, Integer number) {
            VBox box = new VBox(4);
            box.getStyleClass().add("md-list");
            container.getChildren().add(box);
            int n = number == null ? 0 : number;
            for (org.commonmark.node.Node item = list.getFirstChild(); item != null; item = item.getNext()) {
                Label marker = new Label(number == null ? "\u2022" : (n++) + ".");
                marker.getStyleClass().add("md-list-marker");
                marker.setMinWidth(22);
                VBox body = new VBox(4);
                HBox.setHgrow(body, Priority.ALWAYS);
                HBox row = new HBox(4, marker, body);
                row.setAlignment(Pos.TOP_LEFT);
                box.getChildren().add(row);
                visitChildrenInto(body, item);
            }
        }

        @Override
        public void visit(ListItem item) {
            visitChildren(item);
        }

        @Override
        public void visit(BlockQuote quote) {
            VBox box = new VBox(6);
            box.getStyleClass().add("md-quote");
            container.getChildren().add(box);
            visitChildrenInto(box, quote);
        }

        /** Visits the node's children with {@code box} as the container their blocks go into. */
        private void visitChildrenInto(VBox box, org.commonmark.node.Node node) {
            VBox previous = container;
            container = box;
            visitChildren(node);
            container = previous;
        }

        @Override
        public void visit(CustomBlock block) {
            if (block instanceof TableBlock table) {
                table(table);
            } else {
                visitChildren(block);
            }
        }

        /** A GFM table as a grid: header cells bold, columns aligned as the delimiter row says. */
        private void table(TableBlock table) {
            GridPane grid = new GridPane();
            grid.getStyleClass().add("md-table");
            int row = 0;
            for (org.commonmark.node.Node part = table.getFirstChild(); part != null; part = part.getNext()) {
                for (org.commonmark.node.Node r = part.getFirstChild(); r != null; r = r.getNext()) {
                    int column = 0;
                    for (org.commonmark.node.Node c = r.getFirstChild(); c != null; c = c.getNext()) {
                        TableCell cell = (TableCell) c;
                        TextFlow previous = flow;
                        flow = new TextFlow();
                        flow.getStyleClass().add(cell.isHeader() ? "md-th" : "md-td");
                        if (cell.getAlignment() == TableCell.Alignment.RIGHT) flow.setTextAlignment(TextAlignment.RIGHT);
                        if (cell.getAlignment() == TableCell.Alignment.CENTER) flow.setTextAlignment(TextAlignment.CENTER);
                        if (cell.isHeader()) inlineStyles.add("md-strong");
                        visitChildren(cell);
                        if (cell.isHeader()) inlineStyles.removeLast();
                        grid.add(flow, column++, row);
                        flow = previous;
                    }
                    row++;
                }
            }
            container.getChildren().add(grid);
        }

        @Override
        public void visit(ThematicBreak thematicBreak) {
            container.getChildren().add(new Separator());
        }

        @Override
        public void visit(HtmlBlock html) {
            TextFlow block = new TextFlow(styledText(html.getLiteral().strip(), List.of("md-html")));
            block.getStyleClass().add("md-paragraph");
            container.getChildren().add(block);
        }

        @Override
        public void visit(org.commonmark.node.Text text) {
            inline(styledText(text.getLiteral(), inlineStyles));
        }

        @Override
        public void visit(Code code) {
            Label label = new Label(code.getLiteral());
            label.getStyleClass().add("md-code");
            inline(label);
        }

        @Override
        public void visit(Emphasis emphasis) {
            withStyle("md-em", emphasis);
        }

        @Override
        public void visit(StrongEmphasis strong) {
            withStyle("md-strong", strong);
        }

        @Override
        public void visit(Link link) {
            int before = flow == null ? 0 : flow.getChildren().size();
            withStyle("md-link", link);
            if (flow != null && link.getDestination() != null) {
                for (Node node : flow.getChildren().subList(before, flow.getChildren().size())) {
                    if (node instanceof Text t) {
                        Tooltip.install(t, new Tooltip(link.getDestination()));
                    }
                }
            }
        }

        @Override
        public void visit(Image image) {
            withStyle("md-em", image);
        }

        @Override
        public void visit(HtmlInline html) {
            inline(styledText(html.getLiteral(), List.of("md-html")));
        }

        @Override
        public void visit(SoftLineBreak softLineBreak) {
            inline(styledText(" ", inlineStyles));
        }

        @Override
        public void visit(HardLineBreak hardLineBreak) {
            inline(styledText("\n", inlineStyles));
        }

        private void withStyle(String styleClass, org.commonmark.node.Node node) {
            inlineStyles.add(styleClass);
            visitChildren(node);
            inlineStyles.removeLast();
        }

        private void inline(Node node) {
            if (flow == null) { // inline content outside a paragraph (e.g. directly in a list item)
                flow = new TextFlow();
                flow.getStyleClass().add("md-paragraph");
                container.getChildren().add(flow);
            }
            flow.getChildren().add(node);
        }

        private static Text styledText(String value, List<String> styles) {
            Text text = new Text(value);
            text.getStyleClass().add("md-text");
            text.getStyleClass().addAll(styles);
            return text;
        }

        private static String stripFinalNewline(String literal) {
            return literal.endsWith("\n") ? literal.substring(0, literal.length() - 1) : literal;
        }
    }
}
