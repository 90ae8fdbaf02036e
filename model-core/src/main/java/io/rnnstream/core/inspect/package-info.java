/**
 * Looks inside a language model's hidden cells: records every unit's activation over a text ({@link
 * io.rnnstream.core.inspect.CellActivations}), derives simple properties of the text per character
 * ({@link io.rnnstream.core.inspect.TextProperty}), and finds the units that track them ({@link
 * io.rnnstream.core.inspect.UnitScores}).
 */
package io.rnnstream.core.inspect;
