package dev.sluice.api.flags;

import java.util.List;

public record VersionList(String key, List<VersionView> versions) {}
