package dev.sluice.model;

/**
 * The outcome of one analysis step.
 *
 * @param checks windows judged
 * @param inconclusive windows with too little data
 * @param reason why it failed or was inconclusive; the last passing window's figures otherwise
 */
public record AnalysisResult(Verdict verdict, int checks, int inconclusive, String reason) {}
