package io.rnnstream.cli;

import io.rnnstream.cells.CellsFigures;
import io.rnnstream.cells.CellsHtml;

/**
 * Renders {@code rnnstream cells} as one self-contained HTML page without JavaScript: a title and
 * what was read, then {@link CellsHtml}'s table of the best units, colour legend and coloured text.
 */
final class CellsReport {

    private CellsReport() {}

    static String render(String title, String description, CellsFigures figures) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>"
                + CellsHtml.escape(title)
                + "</title><style>"
                + "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}"
                + "table{border-collapse:collapse;margin:1em 0}"
                + "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
                + CellsHtml.style()
                + "</style></head><body>\n<h1>"
                + CellsHtml.escape(title)
                + "</h1>\n<p>"
                + CellsHtml.escape(description)
                + "</p>\n"
                + CellsHtml.section(figures, 2)
                + "</body></html>\n";
    }
}
