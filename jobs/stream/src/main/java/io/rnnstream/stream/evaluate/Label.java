package io.rnnstream.stream.evaluate;

/**
 * The true label of one finished sequence, from the labelled-events topic (the label sits on the
 * sequence's last event).
 *
 * @param model model name
 * @param entity entity key
 * @param pairId pairs it with the sequence's predictions ({@code Prediction.pairId})
 * @param label the true label
 */
public record Label(String model, String entity, String pairId, String label) {}
