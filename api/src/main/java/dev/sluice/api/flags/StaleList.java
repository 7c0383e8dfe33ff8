package dev.sluice.api.flags;

import java.util.List;

public record StaleList(List<FlagService.Stale> flags) {}
