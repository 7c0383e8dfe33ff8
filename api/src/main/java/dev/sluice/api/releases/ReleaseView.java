package dev.sluice.api.releases;

import dev.sluice.workflows.release.ReleaseWorkflow;
import java.util.List;
import java.util.Map;

/** A release as the API shows it: its stage, its events and links to each stage's own view. */
public record ReleaseView(
    String id,
    String stage,
    String reason,
    List<String> events,
    ReleaseWorkflow.Children children,
    Map<String, String> links) {}
