package org.mambaplayground.engine.generate;

public enum FinishReason { STOP, LENGTH, CANCELLED }
