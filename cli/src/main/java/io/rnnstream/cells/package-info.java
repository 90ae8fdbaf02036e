/**
 * Hidden cells of a character language model as a page: the figures ({@link
 * io.rnnstream.cells.CellsFigures}) and their HTML ({@link io.rnnstream.cells.CellsHtml}), shared
 * by {@code rnnstream cells} and the demo's report.
 */
package io.rnnstream.cells;
