package org.mambaplayground.backend;

/** Where a backend's figures are taken, which the charts and CSV show beside each point. */
public enum MeasuredAt {
    /** In this process's engine: prefill, decode and the state's real size, nothing else included. */
    ENGINE,
    /** At the client, from the arrival of a remote stream's events: the network and the server's queue are included. */
    CLIENT
}
