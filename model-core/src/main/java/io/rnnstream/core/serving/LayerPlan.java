package io.rnnstream.core.serving;

/**
 * One recurrent layer's weights laid out for a kernel, built once per classifier and shared by
 * every thread; each stepper asks it for its own {@link LayerStep}.
 */
interface LayerPlan {

    LayerStep newStep();
}
