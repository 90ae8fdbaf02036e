package io.rnnstream.core.model;

/** How a network's recurrent and output weights and biases are drawn before training. */
public enum Initialization {
    /**
     * DL4J's Xavier scheme: each weight matrix drawn from a normal distribution whose variance
     * falls with the layer's fan-in and fan-out; biases start at constants (zero, and an LSTM's
     * forget gates at {@link TrainingOptions#forgetGateBias()}).
     */
    XAVIER,
    /**
     * PyTorch's scheme for {@code nn.LSTM}, {@code nn.RNN} and an {@code nn.Linear} read-out of the
     * hidden state: every weight of the recurrent and output layers uniform in ±1/√hidden, whatever
     * its fan-in, and every bias scattered around its constant by the same kind of draw (two for a
     * recurrent layer, which in PyTorch holds two bias vectors). Biases that all start at the same
     * value let some streams of a language model fall into a state they never leave; the scattered
     * draw does not. An embedding layer keeps Xavier.
     */
    UNIFORM_HIDDEN
}
