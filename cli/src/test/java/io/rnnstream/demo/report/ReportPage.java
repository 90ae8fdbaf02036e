package io.rnnstream.demo.report;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The report's charts, each {@code <svg>} element parsed as XML (which also proves it well formed),
 * with the questions the tests ask of a chart: its texts, its numeric tick labels, its dashed
 * lines.
 */
public final class ReportPage {

    private static final Pattern SVG = Pattern.compile("<svg\\b.*?</svg>", Pattern.DOTALL);
    private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9,]*(\\.[0-9]+)?");

    private ReportPage() {}

    /** Every chart of the page by its id. */
    public static Map<String, Chart> charts(String html) throws Exception {
        Map<String, Chart> charts = new LinkedHashMap<>();
        Matcher m = SVG.matcher(html);
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        while (m.find()) {
            Document doc =
                    factory.newDocumentBuilder()
                            .parse(
                                    new ByteArrayInputStream(
                                            m.group().getBytes(StandardCharsets.UTF_8)));
            Element svg = doc.getDocumentElement();
            charts.put(svg.getAttribute("id"), new Chart(svg));
        }
        return charts;
    }

    /** One parsed chart. */
    public record Chart(Element svg) {

        public List<String> texts() {
            List<String> texts = new ArrayList<>();
            NodeList nodes = svg.getElementsByTagNameNS("*", "text");
            for (int i = 0; i < nodes.getLength(); i++) {
                texts.add(nodes.item(i).getTextContent().trim());
            }
            return texts;
        }

        /** Texts that are numbers: the tick labels of the value axes. */
        public List<String> numericLabels() {
            return texts().stream().filter(t -> NUMBER.matcher(t).matches()).toList();
        }

        /** Axis titles, which in this report always name their unit in parentheses. */
        public List<String> axisTitlesWithUnits() {
            return texts().stream().filter(t -> t.matches(".*\\(.+\\).*")).toList();
        }

        /** Elements drawn with a dash pattern: in this report, markers. */
        public int dashedLines() {
            int dashed = 0;
            for (String tag : List.of("line", "path", "polyline")) {
                NodeList nodes = svg.getElementsByTagNameNS("*", tag);
                for (int i = 0; i < nodes.getLength(); i++) {
                    Element e = (Element) nodes.item(i);
                    if (e.getAttribute("style").contains("stroke-dasharray")
                            || !e.getAttribute("stroke-dasharray").isEmpty()) {
                        dashed++;
                    }
                }
            }
            return dashed;
        }

        public int elements(String tag) {
            return svg.getElementsByTagNameNS("*", tag).getLength();
        }
    }
}
